"""Every action_id, callback_id and block_id the app uses, in one place."""

ANSWER = "question_answer"
CLOSE = "question_close"
ACCEPT = "offer_accept"
WITHDRAW = "offer_withdraw"

COMPOSE = "compose"  # callback_id prefix: compose:share, compose:ask, compose:offer
ANSWER_MODAL = "answer_modal"

TEXT_BLOCK = "text"
TEXT_INPUT = "text"
