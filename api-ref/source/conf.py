# Sphinx configuration of the freezer-sessions API reference.
#
# Build:  sphinx-build -W -b html api-ref/source api-ref/build/html
# Needs:  sphinx, os-api-ref, openstackdocstheme (doc/requirements.txt).
# Without openstackdocstheme the pages still build with Sphinx's own
# alabaster theme, so a reader without the OpenStack theme can check them.

import importlib.util

extensions = ['os_api_ref']

project = 'freezer-sessions API Reference'
copyright = 'freezer-sessions developers'
author = 'freezer-sessions developers'

master_doc = 'index'
source_suffix = {'.rst': 'restructuredtext'}
exclude_patterns = ['samples']
pygments_style = 'native'
language = 'en'

if importlib.util.find_spec('openstackdocstheme') is not None:
    extensions.append('openstackdocstheme')
    html_theme = 'openstackdocs'
    # No third-party analytics in our pages.
    html_theme_options = {'sidebar_mode': 'toc',
                          'analytics_tracking_code': ''}
    openstackdocs_repo_name = 'freezer-sessions/freezer-sessions'
    openstackdocs_bug_project = 'freezer-sessions'
    openstackdocs_bug_tag = 'api-ref'
    openstackdocs_auto_name = False
else:
    html_theme = 'alabaster'

html_title = 'Backup Service (freezer-sessions) API Reference'
html_static_path = []
