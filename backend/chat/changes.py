"""The change log: edits, deletions and reactions as numbered entries of their streams.

A room numbers its messages and the changes to them with one counter (chat/store.py), and so
does each user's mailbox for private messages. A live socket therefore gets changes in commit
order with the messages, a gap in either is filled from here, and a client that was away learns
what changed in the messages it already holds from where its cursor stands (``*_changes_page``).
Each entry keeps the frame it was broadcast as, so that a replay (chat/history.py) sends
exactly that.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet

from chat.delivery.hub import publish_on_commit, room_topic, user_topic
from chat.models import DirectMessage, MailboxChange, Message, Room, RoomChange
from chat.payloads import private_message_payload, room_message_payloads
from chat.protocol import PrivateMessagePage, RoomMessagePage, ServerEvent


def room_change_record(*, room: Room, seq: int, message: Message, event: ServerEvent) -> None:
    """Logs a change numbered ``seq`` in the room and broadcasts it once the write commits."""
    RoomChange.objects.create(room=room, seq=seq, message=message, frame=event.to_text())
    publish_on_commit(room_topic(room.pk), event, seq=seq)


def mailbox_changes_record(
    *, seqs: dict[int, int], message: DirectMessage, event: ServerEvent
) -> None:
    """Logs a change to a private message in each of its users' streams (``seqs``: user id ->
    the seq taken there) and broadcasts it to each of them once the write commits."""
    frame = event.to_text()
    MailboxChange.objects.bulk_create(
        MailboxChange(user_id=user_id, seq=seq, message=message, frame=frame)
        for user_id, seq in seqs.items()
    )
    for user_id, seq in seqs.items():
        publish_on_commit(user_topic(user_id), event, seq=seq)


def changes_forget(message: Message | DirectMessage) -> None:
    """Called when a message is deleted: its earlier changes no longer replay (their frames
    held its text), and a gap filler skips their numbers."""
    log = RoomChange if isinstance(message, Message) else MailboxChange
    log.objects.filter(message=message).update(frame=None)


def room_changes_page(
    *, room: Room, after: int, before: int | None = None, limit: int
) -> RoomMessagePage:
    """The room's messages with an id up to ``after`` that changed since message ``after`` was
    stored (the newest ``limit`` of them, or of those before ``before``), in their current state.
    Ids follow the room's seq (chat/store.py), so the seq of the newest message up to ``after``
    is where a client holding ``after`` stood in the stream."""
    held = Message.objects.filter(room=room, id__lte=after)
    position = held.order_by("-id").values_list("seq", flat=True).first() or 0
    changed = RoomChange.objects.filter(room=room, seq__gt=position).values("message_id")
    messages = held.filter(id__in=changed).select_related("room", "user")
    rows, has_more = _newest(messages, before, limit)
    return RoomMessagePage(results=room_message_payloads(rows), has_more=has_more)


def private_changes_page(
    *, user: AbstractBaseUser, after: int, before: int | None = None, limit: int
) -> PrivateMessagePage:
    """As ``room_changes_page``, for the private messages to or from ``user``: where the user
    stood in their stream is the newest private message *to* them with an id up to ``after``."""
    received = DirectMessage.objects.filter(recipient=user, id__lte=after)
    position = received.order_by("-id").values_list("recipient_seq", flat=True).first() or 0
    changed = MailboxChange.objects.filter(user=user, seq__gt=position).values("message_id")
    mine = DirectMessage.objects.filter(Q(sender=user) | Q(recipient=user), id__lte=after)
    messages = mine.filter(id__in=changed).select_related("sender", "recipient")
    rows, has_more = _newest(messages, before, limit)
    return PrivateMessagePage(
        results=[private_message_payload(message) for message in rows], has_more=has_more
    )


def _newest(messages: QuerySet, before: int | None, limit: int) -> tuple[list, bool]:
    if before is not None:
        messages = messages.filter(id__lt=before)
    found = list(messages.order_by("-id")[: limit + 1])
    return found[:limit][::-1], len(found) > limit
