"""The sandbox's HTTP side: the page, the Web API the app calls, and what the page asks.

/api/<method> and /response/<token> are Slack to the app; /ui/* are the page's requests,
made on behalf of whoever the page is acting as.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from importlib.resources import files
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot.runtime import Runtime
from bot.sandbox.arguments import parse_api_body
from bot.sandbox.clock import SandboxClock, next_digest, next_reask
from bot.sandbox.people import PEOPLE
from bot.sandbox.slack import SlackStandIn
from bot.sandbox.workspace import TEAM_ID, TIMEZONE, Json, dm_channel
from bot.scheduler import JOBS, run_job

STATIC = files("bot.sandbox") / "static"
LONG_POLL_SECONDS = 10.0
DELIVERY_WAIT_SECONDS = 30.0


def _state(standin: SlackStandIn, clock: SandboxClock, runtime: Runtime, user: str) -> Json:
    """Everything `user` can see, with what the clock control would skip to."""
    workspace = standin.workspace
    now = clock()
    schedule = runtime.services.schedules.get(TEAM_ID, now)
    calendar = runtime.services.schedules.calendar(TEAM_ID, now)
    dm = dm_channel(user)
    with workspace.lock:
        messages = [
            m.as_json()
            for m in workspace.messages
            if (m.only_for in (None, user)) and (not m.channel.startswith("D") or m.channel == dm)
        ]
        home = workspace.home_of(user)
        version = workspace.version
    return {
        "version": version,
        "now": now.isoformat(),
        "tz": TIMEZONE,
        "next": {
            "digest": next_digest(now, schedule).isoformat(),
            "reask": next_reask(now, schedule, calendar).isoformat(),
        },
        "people": [asdict(p) for p in PEOPLE],
        "names": dict(workspace.names),
        "channels": [{"id": k, "name": v} for k, v in workspace.channels.items()],
        "dm": dm,
        "messages": messages,
        "modal": workspace.modal_for(user),
        "home": home,
    }


def create_page(standin: SlackStandIn, runtime: Runtime, clock: SandboxClock) -> Starlette:
    workspace = standin.workspace

    async def page(_: Request) -> Response:
        return FileResponse(str(STATIC / "index.html"))

    async def web_api(request: Request) -> Response:
        raw = (await request.body()).decode("utf-8", "replace")
        try:
            body = parse_api_body(raw, request.headers.get("content-type", ""), request.url.query)
        except ValueError:
            return JSONResponse({"ok": False, "error": "invalid_json"})
        answer = await run_in_threadpool(workspace.answer, request.path_params["method"], body)
        return JSONResponse(answer)

    async def response_url(request: Request) -> Response:
        try:
            body = json.loads(await request.body())
        except ValueError:
            return PlainTextResponse("invalid_payload", status_code=400)
        found = await run_in_threadpool(standin.response, request.path_params["token"], body)
        return PlainTextResponse("ok" if found else "no_service", status_code=200 if found else 404)

    async def state(request: Request) -> Response:
        user = request.query_params.get("user", PEOPLE[0].id)
        since = request.query_params.get("since", "")
        if since.isdigit():
            await run_in_threadpool(workspace.wait_for_change, int(since), LONG_POLL_SECONDS)
        return JSONResponse(await run_in_threadpool(_state, standin, clock, runtime, user))

    async def act(request: Request) -> Response:
        data: dict[str, Any] = await request.json()
        user = str(data.get("user", ""))
        if user not in workspace.names:
            return JSONResponse({"error": "unknown person"}, status_code=400)
        answer = await run_in_threadpool(
            _act, standin, runtime, clock, user, request.path_params["what"], data
        )
        return JSONResponse(answer)

    return Starlette(
        routes=[
            Route("/", page),
            Route("/archives/{rest:path}", page),
            Mount("/static", StaticFiles(directory=str(STATIC)), name="static"),
            Route("/api/{method}", web_api, methods=["GET", "POST"]),
            Route("/response/{token}", response_url, methods=["POST"]),
            Route("/ui/state", state),
            Route("/ui/{what}", act, methods=["POST"]),
        ]
    )


def _act(
    standin: SlackStandIn,
    runtime: Runtime,
    clock: SandboxClock,
    user: str,
    what: str,
    data: Json,
) -> Json:
    thread_ts = str(data.get("thread_ts") or "") or None
    match what:
        case "say":
            standin.say(user, str(data["channel"]), str(data.get("text", "")).strip(), thread_ts)
        case "click":
            standin.click(user, str(data["channel"]), str(data["ts"]), dict(data["action"]))
        case "submit":
            return standin.submit(user, str(data["view_id"]), dict(data.get("values", {})))
        case "close":
            standin.close(user, str(data["view_id"]))
        case "home":
            standin.home_opened(user)
        case "homeclick":
            standin.home_click(user, dict(data["action"]))
        case "skip":
            return {"now": _skip(runtime, clock, str(data.get("to", "digest")))}
    return {}


def _skip(runtime: Runtime, clock: SandboxClock, to: str) -> str:
    """Skip to the next digest or re-ask and run the scheduler's passes at that instant,
    as the ticker would, then wait until what they queued is in Slack."""
    # Posts under way finish first: skipping ahead would make their leases run out.
    runtime.worker.drain([], DELIVERY_WAIT_SECONDS)
    schedules = runtime.services.schedules
    schedule = schedules.get(TEAM_ID, clock())
    if to == "digest":
        target = next_digest(clock(), schedule)
    else:
        target = next_reask(clock(), schedule, schedules.calendar(TEAM_ID, clock()))
    now = clock.skip_to(target)
    queued = [post for job in JOBS for post in run_job(runtime.services, job, now)]
    runtime.worker.drain(queued, DELIVERY_WAIT_SECONDS)
    return now.isoformat()
