"""The sandbox: the real app, a Slack stand-in and a web page that draws the workspace."""
