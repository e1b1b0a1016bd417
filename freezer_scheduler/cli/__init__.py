"""The job and session commands of freezer-scheduler (cliff)."""
