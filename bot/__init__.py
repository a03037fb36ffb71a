"""Wiring: settings, the Slack app, the HTTP server, delivery and the command line."""
