"""Messages as the protocol shows them (chat/protocol.py): one builder per shape, for REST pages,
histories, broadcasts and replays alike, so that no two of them can show a message differently."""

from collections.abc import Iterable
from datetime import datetime

from chat.models import DirectMessage, Message, Reaction
from chat.protocol import (
    ChatMessageEvent,
    PrivateMessage,
    PrivateMessageEvent,
    ReactionSummary,
    RoomMessage,
    format_timestamp,
)


def room_message_payload(
    message: Message, reactions: list[ReactionSummary] | None = None
) -> RoomMessage:
    return RoomMessage(**_room_message_fields(message, reactions))


def _room_message_fields(message: Message, reactions: list[ReactionSummary] | None) -> dict:
    return {
        "id": message.id,
        "room": message.room.name,
        "user": message.user.username,
        "message": message.content,
        "timestamp": format_timestamp(message.created_at),
        "edited_at": optional_timestamp(message.edited_at),
        "deleted": message.deleted_at is not None,
        "reactions": reactions or [],
    }


def private_message_payload(message: DirectMessage) -> PrivateMessage:
    return PrivateMessage(
        id=message.id,
        user=message.sender.username,
        to=message.recipient.username,
        message=message.content,
        timestamp=format_timestamp(message.created_at),
        edited_at=optional_timestamp(message.edited_at),
        deleted=message.deleted_at is not None,
    )


def chat_message_event(
    message: Message, reactions: list[ReactionSummary] | None = None
) -> ChatMessageEvent:
    # Built from the fields, not from a RoomMessage: one model a message, not two and a dump.
    fields = _room_message_fields(message, reactions)
    return ChatMessageEvent(**fields, client_id=message.client_id)


def private_message_event(message: DirectMessage) -> PrivateMessageEvent:
    return PrivateMessageEvent(**private_message_payload(message).model_dump())


def room_message_payloads(messages: Iterable[Message]) -> list[RoomMessage]:
    """The messages (with room and user selected) and their reactions, read in one query."""
    messages = list(messages)
    reactions = reaction_summaries([message.id for message in messages])
    return [room_message_payload(message, reactions.get(message.id)) for message in messages]


def reaction_summaries(message_ids: list[int]) -> dict[int, list[ReactionSummary]]:
    """Each message's reactions: its emoji in the order first added, each with its users."""
    users: dict[int, dict[str, list[str]]] = {}
    # In chunks: a replay may ask for many, and SQLite caps a query's parameters.
    for start in range(0, len(message_ids), 500):
        rows = Reaction.objects.filter(message_id__in=message_ids[start : start + 500])
        columns = ("message_id", "emoji", "user__username")
        for message_id, emoji, username in rows.order_by("id").values_list(*columns):
            users.setdefault(message_id, {}).setdefault(emoji, []).append(username)
    return {
        message_id: [
            ReactionSummary(emoji=emoji, count=len(names), users=names)
            for emoji, names in by_emoji.items()
        ]
        for message_id, by_emoji in users.items()
    }


def optional_timestamp(moment: datetime | None) -> str | None:
    return None if moment is None else format_timestamp(moment)
