# Sphinx configuration of the freezer-sessions documentation.
#
# Build:  sphinx-build -W -b html doc/source doc/build/html
# Needs:  sphinx, openstackdocstheme, oslo.config and oslo.policy (the
#         last two render the option and policy references from the code).
# Without openstackdocstheme the pages still build with Sphinx's alabaster
# theme.

import importlib.util

extensions = [
    'oslo_config.sphinxext',
    'oslo_policy.sphinxext',
]

project = 'freezer-sessions'
copyright = 'freezer-sessions developers'
author = 'freezer-sessions developers'

master_doc = 'index'
source_suffix = {'.rst': 'restructuredtext'}
exclude_patterns = ['_build']
pygments_style = 'native'
language = 'en'

if importlib.util.find_spec('openstackdocstheme') is not None:
    extensions.append('openstackdocstheme')
    html_theme = 'openstackdocs'
    # No third-party analytics in our pages.
    html_theme_options = {'analytics_tracking_code': ''}
    openstackdocs_repo_name = 'freezer-sessions/freezer-sessions'
    openstackdocs_bug_project = 'freezer-sessions'
    openstackdocs_bug_tag = 'doc'
    openstackdocs_auto_name = False
else:
    html_theme = 'alabaster'

html_title = 'freezer-sessions documentation'
html_static_path = ['_static']
