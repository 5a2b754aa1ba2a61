"""Events out to channel-layer groups: built and serialized once, sent after the write commits.

Consumers forward the pre-serialized text as is, so a broadcast to N sockets costs one
serialization, not N.
"""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from chat.protocol import ServerEvent

# The consumer method that forwards a broadcast; see ChatConsumer.chat_event.
FORWARD = "chat.event"


def group_send(group: str, event: ServerEvent, *, message_id: int | None = None) -> None:
    """Send now; for events that follow no database write (presence)."""
    payload = {"type": FORWARD, "text": event.to_text(), "message_id": message_id}
    async_to_sync(get_channel_layer().group_send)(group, payload)


def group_send_on_commit(group: str, event: ServerEvent, *, message_id: int | None = None) -> None:
    """Send once the current transaction commits, so nobody sees a message that was not stored."""
    transaction.on_commit(lambda: group_send(group, event, message_id=message_id))
