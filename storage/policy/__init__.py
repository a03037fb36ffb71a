"""The rules, as tables: who may take which action, and how each kind of item moves."""
