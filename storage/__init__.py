"""Persistence and use cases. Knows nothing about Slack's wire formats."""
