"""Who may change the app's set-up: workspace admins and owners, and LIAISON_ADMINS."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers import replies
from handlers.deps import Deps


def admin_refusal(deps: Deps, client: WebClient, user_id: str) -> str | None:
    """None for an admin; otherwise the private answer saying why not."""
    if user_id in deps.admins:
        return None
    try:
        profile = client.users_info(user=user_id)["user"]
    except SlackApiError as error:
        return replies.couldnt_check_admin(str(error.response.get("error", "unknown")))
    except OSError as error:
        return replies.couldnt_check_admin(type(error).__name__)
    if profile.get("is_admin") or profile.get("is_owner"):
        return None
    return replies.NOT_ADMIN
