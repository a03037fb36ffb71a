"""The domain's nouns: kinds of item, their states, delivery kinds, actions, roles, goal levels
and statuses, and kinds of offer."""

from __future__ import annotations

from enum import StrEnum


class ItemKind(StrEnum):
    UPDATE = "update"
    QUESTION = "question"
    OFFER = "offer"


class State(StrEnum):
    SHARED = "shared"  # an update: posted, nothing more happens to it
    OPEN = "open"
    ANSWERED = "answered"
    CLOSED = "closed"
    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    DELIVERED = "delivered"
    WITHDRAWN = "withdrawn"


class DeliveryKind(StrEnum):
    POST = "post"  # a top-level message in a channel
    THREAD = "thread"  # a reply in the thread of its ref
    EDIT = "update"  # replaces its ref's message
    DM = "dm"  # to a user; with a ref, it carries a link to the ref's message
    HOME = "home"  # a user's App Home (views.publish); a newer one replaces those pending


# Calls that add no message: made again, they do no harm, so they are never looked for in
# Slack first, and they neither wait for nor set a channel's one-post-a-second pace.
REPEATABLE = (DeliveryKind.EDIT, DeliveryKind.HOME)


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class Action(StrEnum):
    SETUP = "setup"
    SETTINGS = "settings"
    ADD_CLOSED_DAY = "add_closed_day"  # a day the workspace is closed: no business day
    REMOVE_CLOSED_DAY = "remove_closed_day"
    JOIN = "join"
    LEAVE = "leave"
    SHARE = "share"
    ASK = "ask"
    ANSWER = "answer"
    CLOSE = "close"
    OFFER = "offer"
    ACCEPT = "accept"
    DECLINE = "decline"
    DELIVER = "deliver"
    WITHDRAW = "withdraw"
    SNOOZE = "snooze"  # "Working on it": reminders pause
    KEEP_ASKING = "keep_asking"
    EXPORT = "export"
    PURGE = "purge"
    SEARCH = "search"
    STATS = "stats"
    SERVICE_LINES = "service_lines"  # add or archive a workspace's service lines
    CORPORATE_GOAL = "corporate_goal"  # add or edit a corporate goal
    TEAM_GOAL = "team_goal"  # add or edit a goal of one's own team
    # What the app does by itself: scheduled passes and delivery.
    DIGEST = "digest"
    REASK = "reask"
    ESCALATE = "escalate"
    GIVE_UP = "give_up"
    RETRY = "retry"  # an operator sends a failed delivery again (liaison-bridge deliveries)
    # The PHI guard found patient identifiers in what someone sent.
    PHI_BLOCK = "phi_block"
    PHI_WARN = "phi_warn"


class GuardPolicy(StrEnum):
    """What the PHI guard does with a patient identifier, per workspace."""

    BLOCK = "block"  # nothing stored or posted; the author gets the text back without it
    WARN = "warn"  # posted, with a private warning to the author


class Role(StrEnum):
    WORKSPACE_ADMIN = "workspace admin or owner"
    APP_ADMIN = "app admin"
    SENDING_TEAM = "member of the sending team"
    RECEIVING_TEAM = "member of the receiving team"
    AUTHOR = "author"
    NO_TEAM = "member of no team"
    GUEST = "guest"
    SYSTEM = "the app itself"  # scheduled passes, delivery and the operator's command line


class GoalLevel(StrEnum):
    CORPORATE = "corporate"
    TEAM = "team"  # serves a corporate goal and belongs to one team


class GoalStatus(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class OfferType(StrEnum):
    """What kind of help an offer is; the labels are what people read."""

    TARGET_LIST = "target_list"
    COLLATERAL = "collateral"
    TALKING_POINTS = "talking_points"
    SALES_MEETING = "sales_meeting"
    EVENT_SUPPORT = "event_support"
    DATA_PULL = "data_pull"
    MARKET_INTEL = "market_intel"

    @property
    def label(self) -> str:
        return OFFER_TYPE_LABELS[self]


OFFER_TYPE_LABELS = {
    OfferType.TARGET_LIST: "Physician target list",
    OfferType.COLLATERAL: "Collateral or leave-behind",
    OfferType.TALKING_POINTS: "Talking points",
    OfferType.SALES_MEETING: "Sales-meeting support",
    OfferType.EVENT_SUPPORT: "Event support",
    OfferType.DATA_PULL: "Data pull",
    OfferType.MARKET_INTEL: "Market intel",
}
