"""Every action_id, callback_id and block_id the app uses, in one place."""

ANSWER = "question_answer"
CLOSE = "question_close"
ACCEPT = "offer_accept"
DECLINE = "offer_decline"
DELIVER = "offer_deliver"
WITHDRAW = "offer_withdraw"
WORKING = "question_working"
KEEP_ASKING = "question_keep_asking"

ASK_ABOUT = "ask_about_message"  # the message shortcut (callback_id, as in the manifest)
COMPOSE = "compose"  # callback_id prefix: compose:share, compose:ask, compose:offer
ANSWER_MODAL = "answer_modal"
DECLINE_MODAL = "decline_modal"
DELIVER_MODAL = "deliver_modal"
SETTINGS_MODAL = "settings_modal"

TEXT_BLOCK = "text"
TEXT_INPUT = "text"
VALUE_BLOCK = "of_value"  # the compliance checkbox on offers
VALUE_INPUT = "of_value"
VALUE_OPTION = "yes"
LINK_BLOCK = "link"
LINK_INPUT = "link"

# The optional structure of items; each element's action_id is its block's id.
SERVICE_LINE_BLOCK = "service_line"
GOAL_BLOCK = "goal"
NEEDED_BY_BLOCK = "needed_by"
OFFER_TYPE_BLOCK = "offer_type"

# Goals: the list's buttons and the form (block ids are the form's field names).
GOAL_ADD = "goal_add"
GOAL_EDIT = "goal_edit"
GOAL_PICK = "goal_pick"  # a select of every goal, when there are more than the list shows
GOAL_MODAL = "goal_modal"
