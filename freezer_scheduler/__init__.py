"""freezer-scheduler: the per-host scheduler daemon and its command line."""
