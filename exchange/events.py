"""What happened in the exchange, for other apps to act on (PACT tells partner systems) without the
exchange knowing them. Sent by `services` after the row is written, inside its transaction; a receiver
that talks to the outside world records its work there and sends it after commit."""

from django.dispatch import Signal

#: An answer was released or corrected: `answer` (its `preceding` is set for a correction).
answer_released = Signal()
#: A request was closed without an answer: `request` (state sent back or cancelled).
request_closed = Signal()
