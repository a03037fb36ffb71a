"""Alembic environment: runs on the connection handed over by storage.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from storage.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
if connection.dialect.name == "postgresql":
    # Replicas that start together migrate one after another instead of colliding.
    connection.execute(text("SELECT pg_advisory_xact_lock(7343001)"))
with context.begin_transaction():
    context.run_migrations()
