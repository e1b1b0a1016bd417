"""The API client layer; import it through freezer_scheduler.client."""
