"""What happened to batteries at end of life, for other apps to act on (the oversight raises alerts)
without this app knowing them. Sent inside the writing transaction; receivers defer work to commit."""

from django.dispatch import Signal

#: A transfer was recorded: `transfer`.
transfer_recorded = Signal()
#: A transfer was withdrawn by its sender: `public_id`.
transfer_withdrawn = Signal()
