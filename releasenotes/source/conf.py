# Sphinx configuration of the freezer-sessions release notes (reno).
#
# Build:  sphinx-build -W -b html releasenotes/source releasenotes/build/html
# reno reads the notes in releasenotes/notes/ from the git history (and
# the working tree), so build inside a git checkout.

import importlib.util

extensions = ['reno.sphinxext']

project = 'freezer-sessions Release Notes'
copyright = 'freezer-sessions developers'
author = 'freezer-sessions developers'

master_doc = 'index'
source_suffix = {'.rst': 'restructuredtext'}
exclude_patterns = []
pygments_style = 'native'
language = 'en'

if importlib.util.find_spec('openstackdocstheme') is not None:
    extensions.append('openstackdocstheme')
    html_theme = 'openstackdocs'
    # No third-party analytics in our pages.
    html_theme_options = {'analytics_tracking_code': ''}
    openstackdocs_repo_name = 'freezer-sessions/freezer-sessions'
    openstackdocs_bug_project = 'freezer-sessions'
    openstackdocs_bug_tag = 'releasenotes'
    openstackdocs_auto_name = False
else:
    html_theme = 'alabaster'

html_title = 'freezer-sessions Release Notes'
html_static_path = []
