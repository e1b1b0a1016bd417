"""The freezer-scheduler daemon: polls the API, runs this host's jobs."""
