"""``python -m freezer_scheduler.daemon [options] start|stop|status|...``"""

import sys

from freezer_scheduler.daemon import main

sys.exit(main.main())
