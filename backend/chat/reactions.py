"""Reactions: a user's emoji on a room message, at most REACTIONS_PER_MESSAGE distinct emoji a
message. Each change is an entry of the room's stream, like an edit (chat/edits.py)."""

import emoji as emoji_data
from django.conf import settings
from django.db import transaction

from chat.changes import room_change_record
from chat.edits import room_message_to_change
from chat.errors import InvalidEmoji, NotAuthenticated, TooManyReactions
from chat.messages import User
from chat.models import Message, Reaction, Room
from chat.protocol import ReactionEvent
from chat.store import room_seq_take


class _Unchanged(Exception):
    """The reaction already is as asked: nothing to store, and the seq taken is given back."""


def check_emoji(text: str) -> str:
    if not (isinstance(text, str) and len(text) <= 32 and emoji_data.is_emoji(text)):
        raise InvalidEmoji()
    return text


def reaction_set(
    *, user: User, room: Room, message_id: int, emoji: str, added: bool | None = None
) -> Message:
    """Toggles the user's ``emoji`` on the message, or with ``added`` sets it so; the room gets
    ``reaction`` when that changed something. Returns the message."""
    if not user.is_authenticated:
        raise NotAuthenticated("Log in to react.")
    check_emoji(emoji)
    try:
        with transaction.atomic():
            return _set(user, room, message_id, emoji, added)
    except _Unchanged as unchanged:
        return unchanged.args[0]


def _set(user: User, room: Room, message_id: int, emoji: str, added: bool | None) -> Message:
    seq = room_seq_take(room=room, user=user)
    message = room_message_to_change(room=room, message_id=message_id)
    mine = Reaction.objects.filter(message=message, user=user, emoji=emoji)
    present = mine.exists()
    wanted = not present if added is None else added
    if wanted == present:
        raise _Unchanged(message)
    if wanted:
        _check_room_for(message, emoji)
        Reaction.objects.create(message=message, user=user, emoji=emoji)
    else:
        mine.delete()
    event = ReactionEvent(
        id=message.id, room=room.name, emoji=emoji, user=user.username, added=wanted
    )
    room_change_record(room=room, seq=seq, message=message, event=event)
    return message


def _check_room_for(message: Message, emoji: str) -> None:
    kinds = set(Reaction.objects.filter(message=message).values_list("emoji", flat=True))
    limit = settings.CHAT["REACTIONS_PER_MESSAGE"]
    if emoji not in kinds and len(kinds) >= limit:
        raise TooManyReactions(f"A message carries at most {limit} different reactions.")
