"""Read-only views over what was recorded."""
