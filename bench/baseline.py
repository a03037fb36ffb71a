"""The best the serving stack could do: a bare Bolt app that only acks, or that acks after
inserting and committing one row. Same server stack as the app: uvicorn, Starlette, Bolt's
sync App with process_before_response=True.

    python -m bench.baseline ack|insert PORT DATABASE_URL SLACK_API_URL
"""

from __future__ import annotations

import re
import sys
from typing import Any

import uvicorn
from slack_bolt import Ack, App
from slack_bolt.adapter.starlette import SlackRequestHandler
from slack_sdk import WebClient
from sqlalchemy import Column, Integer, MetaData, Table, Text, insert
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bench.common import SECRET
from storage.db import make_engine

rows = Table(
    "bench_rows",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("body", Text, nullable=False),
)


def build(mode: str, database_url: str, api_url: str) -> Starlette:
    engine = make_engine(database_url)
    rows.create(engine, checkfirst=True)
    app = App(
        client=WebClient(token="xoxb-bench", base_url=api_url),
        signing_secret=SECRET,
        process_before_response=True,
        token_verification_enabled=False,
    )

    def handle(ack: Ack, body: dict[str, Any]) -> None:
        if mode == "insert":
            with engine.begin() as connection:
                connection.execute(insert(rows).values(body=str(body.get("text", "click"))))
        ack("ok")

    app.command(re.compile(".*"))(handle)
    app.action(re.compile(".*"))(handle)
    handler = SlackRequestHandler(app)

    async def events(request: Request) -> Response:
        return await handler.handle(request)

    async def healthz(_: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(
        routes=[Route("/slack/events", events, methods=["POST"]), Route("/healthz", healthz)]
    )


if __name__ == "__main__":
    mode, port, database_url, api_url = sys.argv[1:5]
    uvicorn.run(
        build(mode, database_url, api_url),
        host="127.0.0.1",
        port=int(port),
        log_level="warning",
        access_log=False,
    )
