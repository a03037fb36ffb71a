"""A Slack workspace held in memory, and the Web API methods the app calls on it.

The sandbox draws this state in the browser; the tests' fake Slack answers with the same
methods, so both speak the one dialect the app was written against.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

BOT_ID = "UBOT"
TEAM_ID = "T0001"
TIMEZONE = "America/New_York"  # every person's, as users.info reports it
Json = dict[str, Any]


@dataclass
class Message:
    ts: str
    channel: str
    user: str
    text: str
    blocks: list[Json] = field(default_factory=list)
    thread_ts: str | None = None
    broadcast: bool = False
    edited: bool = False
    # Set for an ephemeral message: the only person who sees it.
    only_for: str | None = None
    metadata: Json | None = None  # chat.postMessage's metadata, as Slack keeps it

    def as_json(self, with_metadata: bool = False) -> Json:
        shown = {"metadata": self.metadata} if with_metadata and self.metadata else {}
        return shown | {
            "ts": self.ts,
            "channel": self.channel,
            "user": self.user,
            "text": self.text,
            "blocks": self.blocks,
            "thread_ts": self.thread_ts,
            "reply_broadcast": self.broadcast,
            "edited": self.edited,
            "ephemeral": self.only_for is not None,
        }


def dm_channel(user: str) -> str:
    """The id of a person's direct-message channel with the app (Slack answers with it)."""
    return "D" + user[1:] if user.startswith("U") else user


class Workspace:
    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.time,
        permalink_base: str = "https://example.slack.com",
    ) -> None:
        self.clock = clock
        self.permalink_base = permalink_base
        self.names: dict[str, str] = {}  # person id -> display name
        self.channels: dict[str, str] = {}  # channel id -> name
        self.admins: set[str] = set()
        self.owners: set[str] = set()
        self.guests: set[str] = set()
        self.messages: list[Message] = []
        self.views: dict[str, Json] = {}  # view id -> view (with "user" and "kind")
        self.version = 0
        self.lock = threading.RLock()
        self._changed = threading.Condition(self.lock)
        self._last_ts = (0, 0)
        self._view_counter = 0
        self._installs = 0

    # -- state the page and the Slack requests read ---------------------------
    def changed(self) -> None:
        with self._changed:
            self.version += 1
            self._changed.notify_all()

    def wait_for_change(self, since: int, timeout: float) -> int:
        with self._changed:
            self._changed.wait_for(lambda: self.version != since, timeout)
            return self.version

    def next_ts(self) -> str:
        """Like Slack's: the clock's seconds, with a sequence that keeps each one unique."""
        with self.lock:
            seconds, seq = int(self.clock()), 0
            if seconds <= self._last_ts[0]:
                seconds, seq = self._last_ts[0], self._last_ts[1] + 1
            self._last_ts = (seconds, seq)
            return f"{seconds}.{seq:06d}"

    def find(self, channel: str, ts: str) -> Message | None:
        with self.lock:
            return next(
                (
                    m
                    for m in self.messages
                    if m.channel == channel and m.ts == ts and not m.only_for
                ),
                None,
            )

    def post(self, message: Message) -> Message:
        with self.lock:
            self.messages.append(message)
        self.changed()
        return message

    def open_view(self, view: Json, user: str | None, kind: str = "modal") -> Json:
        with self.lock:
            self._view_counter += 1
            opened = {**view, "id": f"V{self._view_counter}", "user": user, "kind": kind}
            self.views[opened["id"]] = opened
        self.changed()
        return opened

    def modal_for(self, user: str) -> Json | None:
        with self.lock:
            modals = [v for v in self.views.values() if v["kind"] == "modal" and v["user"] == user]
            return modals[-1] if modals else None

    def home_of(self, user: str) -> Json | None:
        with self.lock:
            return next(
                (v for v in self.views.values() if v["kind"] == "home" and v["user"] == user), None
            )

    def view(self, view_id: str) -> Json | None:
        with self.lock:
            return self.views.get(view_id)

    def close_view(self, user: str, view_id: str) -> None:
        with self.lock:
            if self.views.get(view_id, {}).get("user") == user:
                del self.views[view_id]
        self.changed()

    def close_modals(self, user: str) -> None:
        with self.lock:
            for view_id in [
                k for k, v in self.views.items() if v["kind"] == "modal" and v["user"] == user
            ]:
                del self.views[view_id]
        self.changed()

    def replace_view(self, view_id: str, view: Json) -> Json | None:
        with self.lock:
            old = self.views.get(view_id)
            if old is None:
                return None
            self.views[view_id] = {**view, "id": view_id, "user": old["user"], "kind": old["kind"]}
        self.changed()
        return self.views[view_id]

    def profile(self, user: str) -> Json:
        return {
            "id": user,
            "name": user.lower(),
            "real_name": self.names.get(user, user),
            "is_admin": user in self.admins,
            "is_owner": user in self.owners,
            "is_restricted": user in self.guests,
            "tz": TIMEZONE,
        }

    # -- the Web API ----------------------------------------------------------
    def answer(self, method: str, body: Json) -> Json:
        """Slack's answer to one Web API call; unknown methods answer ok, as a stub."""
        handler = _METHODS.get(method)
        return handler(self, body) if handler else {"ok": True}

    def _post_message(self, body: Json) -> Json:
        channel = str(body.get("channel", ""))
        if channel.startswith("U"):
            channel = dm_channel(channel)
        thread_ts = body.get("thread_ts") or None
        message = Message(
            ts=self.next_ts(),
            channel=channel,
            user=BOT_ID,
            text=str(body.get("text") or ""),
            blocks=_blocks(body),
            thread_ts=str(thread_ts) if thread_ts else None,
            broadcast=_true(body.get("reply_broadcast")),
            metadata=body["metadata"] if isinstance(body.get("metadata"), dict) else None,
        )
        self.post(message)
        return {"ok": True, "channel": channel, "ts": message.ts, "message": message.as_json()}

    def _update(self, body: Json) -> Json:
        channel, ts = str(body.get("channel", "")), str(body.get("ts", ""))
        message = self.find(channel, ts)
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        with self.lock:
            message.text = str(body.get("text") or "")
            message.blocks = _blocks(body)
            message.edited = True
        self.changed()
        return {"ok": True, "channel": channel, "ts": ts, "text": message.text}

    def _ephemeral(self, body: Json) -> Json:
        user = str(body.get("user", ""))
        message = Message(
            ts=self.next_ts(),
            channel=str(body.get("channel", "")),
            user=BOT_ID,
            text=str(body.get("text") or ""),
            blocks=_blocks(body),
            thread_ts=body.get("thread_ts") or None,
            only_for=user,
        )
        self.post(message)
        return {"ok": True, "message_ts": message.ts}

    def _permalink(self, body: Json) -> Json:
        channel = str(body.get("channel", ""))
        ts = str(body.get("message_ts", ""))
        url = f"{self.permalink_base}/archives/{channel}/p{ts.replace('.', '')}"
        return {"ok": True, "channel": channel, "permalink": url}

    def _views_open(self, body: Json) -> Json:
        return {"ok": True, "view": self.open_view(_view(body), self.trigger_user(body))}

    def trigger_user(self, body: Json) -> str | None:
        """Who a trigger_id belongs to: the sandbox makes them as "trigger:<user>:<n>"."""
        parts = str(body.get("trigger_id", "")).split(":")
        return parts[1] if len(parts) == 3 and parts[0] == "trigger" else None

    def _views_update(self, body: Json) -> Json:
        view_id = str(body.get("view_id", ""))
        replaced = self.replace_view(view_id, _view(body))
        if replaced is None:
            return {"ok": False, "error": "not_found"}
        return {"ok": True, "view": replaced}

    def _views_publish(self, body: Json) -> Json:
        user = str(body.get("user_id", ""))
        with self.lock:
            for view_id in [k for k, v in self.views.items() if v["kind"] == "home"]:
                if self.views[view_id]["user"] == user:
                    del self.views[view_id]
        return {"ok": True, "view": self.open_view(_view(body), user, "home")}

    def _history(self, body: Json) -> Json:
        channel = str(body.get("channel", ""))
        with self.lock:
            found = [
                m.as_json(_true(body.get("include_all_metadata")))
                for m in self.messages
                if m.channel == channel
                and not m.only_for
                and (not m.thread_ts or m.broadcast)
                and _since(m, body)
            ]
        return {"ok": True, "messages": found[::-1], "has_more": False}

    def _replies(self, body: Json) -> Json:
        channel, ts = str(body.get("channel", "")), str(body.get("ts", ""))
        with self.lock:
            found = [
                m.as_json(_true(body.get("include_all_metadata")))
                for m in self.messages
                if m.channel == channel
                and not m.only_for
                and ts in (m.ts, m.thread_ts)
                and (m.ts == ts or _since(m, body))
            ]
        return {"ok": True, "messages": found, "has_more": False}

    def _users_info(self, body: Json) -> Json:
        return {"ok": True, "user": self.profile(str(body.get("user", "")))}

    def _conversations_info(self, body: Json) -> Json:
        channel = str(body.get("channel", ""))
        name = self.channels.get(channel, "chan-" + channel.lower())
        return {"ok": True, "channel": {"id": channel, "name": name, "is_private": False}}

    def _oauth_access(self, body: Json) -> Json:
        """An OAuth install's code, which the fake makes as "team=T2[,enterprise=E1][,user=U9]"
        ("enterprise=E1" alone: an org-wide install); every install gets a token of its own."""
        code = str(body.get("code", ""))
        grant = dict(part.partition("=")[::2] for part in code.split(","))
        team, enterprise = grant.get("team"), grant.get("enterprise")
        if not team and not enterprise:
            return {"ok": False, "error": "invalid_code"}
        with self.lock:
            self._installs += 1
            token = f"xoxb-{team or enterprise}-{self._installs}"
        return {
            "ok": True,
            "access_token": token,
            "token_type": "bot",
            "scope": "commands,chat:write,chat:write.public,users:read",
            "bot_user_id": BOT_ID,
            "app_id": "A0001",
            "team": {"id": team, "name": f"Workspace {team}"} if team else None,
            "enterprise": {"id": enterprise, "name": f"Org {enterprise}"} if enterprise else None,
            "is_enterprise_install": not team,
            "authed_user": {"id": grant.get("user") or "U_INSTALLER"},
        }

    def _auth_test(self, _: Json) -> Json:
        return {
            "ok": True,
            "url": self.permalink_base + "/",
            "team": "Example",
            "user": "liaisonbridge",
            "team_id": TEAM_ID,
            "user_id": BOT_ID,
            "bot_id": "BBOT",
        }


_METHODS: dict[str, Callable[[Workspace, Json], Json]] = {
    "chat.postMessage": Workspace._post_message,
    "chat.update": Workspace._update,
    "chat.postEphemeral": Workspace._ephemeral,
    "chat.getPermalink": Workspace._permalink,
    "views.open": Workspace._views_open,
    "views.update": Workspace._views_update,
    "views.publish": Workspace._views_publish,
    "conversations.history": Workspace._history,
    "conversations.replies": Workspace._replies,
    "conversations.info": Workspace._conversations_info,
    "users.info": Workspace._users_info,
    "auth.test": Workspace._auth_test,
    "oauth.v2.access": Workspace._oauth_access,
}


def _since(message: Message, body: Json) -> bool:
    """Slack's `oldest` bound (exclusive) of conversations.history and .replies."""
    oldest = body.get("oldest")
    return not oldest or float(message.ts) > float(oldest)


def _true(value: Any) -> bool:
    return value is True or str(value).lower() in ("1", "true")


def _blocks(body: Json) -> list[Json]:
    blocks = body.get("blocks")
    return [b for b in blocks if isinstance(b, dict)] if isinstance(blocks, list) else []


def _view(body: Json) -> Json:
    view = body.get("view")
    return view if isinstance(view, dict) else {}
