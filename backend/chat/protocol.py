"""The wire protocol: every WebSocket frame a client may send, every event the server sends, and
the message shapes REST shares with them (so the two transports cannot drift apart).

docs/protocol.md is written from this module. Client frames ignore unknown fields (newer clients
may send more); server events forbid them, so nothing undocumented ever reaches the wire.
"""

import json
import re
from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
)

from chat.errors import InvalidFrame, InvalidJson, MessageTooLong, UnknownType

MAX_FRAME_CHARS = 64 * 1024

# Close codes of the server's own (errors that end a handshake carry theirs: chat/errors.py).
# The socket may have missed broadcasts (it fell behind, or this server lost its subscription
# to the others): reconnect at once with after=<largest room message id seen>.
CLOSE_RESUME = 4409
# The server failed to open the room. Not RFC 6455's 1011: autobahn (daphne) lets applications
# send only 1000 and 3000-4999, and raises on anything else.
CLOSE_INTERNAL_ERROR = 4500

ClientId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
# The largest id a message can have (a 64-bit primary key).
MAX_MESSAGE_ID = 2**63 - 1
MessageId = Annotated[int, Field(ge=1, le=MAX_MESSAGE_ID)]
Username = Annotated[str, StringConstraints(min_length=1, max_length=150)]
# OpenAPI 3.0 (the REST schema) has "nullable", not JSON Schema's null type.
NullableTimestamp = Annotated[str | None, WithJsonSchema({"type": "string", "nullable": True})]


def format_timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC, always with microseconds, so clients can parse one fixed shape."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


# Client -> server -------------------------------------------------------------------------------


class ClientFrame(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True, frozen=True)


class ChatMessageFrame(ClientFrame):
    type: Literal["chat_message"] = "chat_message"
    message: str
    client_id: ClientId | None = None


class PrivateMessageFrame(ClientFrame):
    type: Literal["private_message"]
    to: str
    message: str
    client_id: ClientId | None = None


class PingFrame(ClientFrame):
    type: Literal["ping"]
    # Named in an error that refuses the frame (rate_limited), as for messages.
    client_id: ClientId | None = None


class AuthenticateFrame(ClientFrame):
    """Renews the socket's credential with a fresh access token, before the current one expires."""

    type: Literal["authenticate"]
    token: Annotated[str, StringConstraints(min_length=1, max_length=4096)]
    client_id: ClientId | None = None


class TypingFrame(ClientFrame):
    """The user is typing in the socket's room: sent at most every 2 s while they type."""

    type: Literal["typing"]
    client_id: ClientId | None = None


class MarkReadFrame(ClientFrame):
    """Marks the socket's room (or, with ``with``, the private conversation with that user) read
    up to message ``id``."""

    type: Literal["mark_read"]
    id: MessageId
    with_: Username | None = Field(None, alias="with")
    client_id: ClientId | None = None


class EditMessageFrame(ClientFrame):
    """Replaces the text of the user's own message ``id``: of the socket's room, or with
    ``with``, a private message the user sent to that user."""

    type: Literal["edit_message"]
    id: MessageId
    message: str
    with_: Username | None = Field(None, alias="with")
    client_id: ClientId | None = None


class DeleteMessageFrame(ClientFrame):
    """Deletes message ``id`` (the user's own; staff: any of the room's), leaving a tombstone."""

    type: Literal["delete_message"]
    id: MessageId
    with_: Username | None = Field(None, alias="with")
    client_id: ClientId | None = None


class ReactFrame(ClientFrame):
    """Toggles the user's reaction ``emoji`` on room message ``id``; ``added`` sets it instead."""

    type: Literal["react"]
    id: MessageId
    emoji: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    added: bool | None = None
    client_id: ClientId | None = None


CLIENT_FRAMES: dict[str, type[ClientFrame]] = {
    "chat_message": ChatMessageFrame,
    "private_message": PrivateMessageFrame,
    "ping": PingFrame,
    "authenticate": AuthenticateFrame,
    "typing": TypingFrame,
    "mark_read": MarkReadFrame,
    "edit_message": EditMessageFrame,
    "delete_message": DeleteMessageFrame,
    "react": ReactFrame,
}

# The /pm shortcut's blanks, spelled out so that every client can use exactly this set (Python's
# and JavaScript's \s differ). A chat_message matching _PM_COMMAND is private, or refused: never
# posted to the room.
PM_BLANKS = (
    "\t\n\v\f\r \u0085\u00a0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + "\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_BLANK, _WORD = f"[{re.escape(PM_BLANKS)}]", f"[^{re.escape(PM_BLANKS)}]"
_PM_COMMAND = re.compile(f"{_BLANK}*/pm(?:{_BLANK}|$)", re.IGNORECASE)
_PM_ARGUMENTS = re.compile(
    f"{_BLANK}*/pm{_BLANK}+({_WORD}+)(?:{_BLANK}+(.*))?", re.IGNORECASE | re.DOTALL
)


def private_command(text: str) -> tuple[str, str] | None:
    """(username, text) when ``text`` is the "/pm USERNAME TEXT" shortcut, None when it is a
    room message; raises for a /pm that names nobody, so it is never posted to the room."""
    if not _PM_COMMAND.match(text):
        return None
    arguments = _PM_ARGUMENTS.fullmatch(text)
    if arguments is None:
        raise InvalidFrame("Write /pm USERNAME MESSAGE.")
    return arguments[1], (arguments[2] or "").strip(PM_BLANKS)


def parse_client_frame(text: str | None) -> ClientFrame:
    """Turn one text frame into a validated frame, or raise the error the client should see."""
    if text is None:
        raise InvalidFrame("Binary frames are not supported; send JSON text.")
    if len(text) > MAX_FRAME_CHARS:
        raise MessageTooLong(f"Frames are limited to {MAX_FRAME_CHARS} characters.")
    try:
        data = json.loads(text)
    except RecursionError:
        raise InvalidJson("The frame is nested too deeply.") from None
    except ValueError:
        raise InvalidJson() from None
    if not isinstance(data, dict):
        raise InvalidFrame("A frame must be a JSON object.")
    client_id = data.get("client_id") if isinstance(data.get("client_id"), str) else None
    _check_storable(data, client_id)
    # The tutorial's bare {"message": ...} frame has no type.
    frame_type = data.get("type", "chat_message")
    frame_class = CLIENT_FRAMES.get(frame_type) if isinstance(frame_type, str) else None
    if frame_class is None:
        raise UnknownType(f"Unknown message type {frame_type!r}.", client_id=client_id)
    try:
        return frame_class.model_validate(data)
    except ValidationError as error:
        raise InvalidFrame(_describe(error), client_id=client_id) from None


def _check_storable(data: dict, client_id: str | None) -> None:
    # JSON can spell what no database column stores: NUL (PostgreSQL refuses it in text) and
    # a lone surrogate (not encodable as UTF-8). Refuse them here, before any service runs.
    for name, value in data.items():
        if isinstance(value, str) and not _storable(value):
            raise InvalidFrame(
                f"{name}: contains a NUL character or a lone surrogate.",
                client_id=None if name == "client_id" else client_id,
            )


def _storable(text: str) -> bool:
    if "\x00" in text:
        return False
    if text.isascii():
        return True
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "frame"
    return f"{field}: {first['msg']}"


# Server -> client -------------------------------------------------------------------------------


class ServerEvent(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    type: str

    def to_text(self) -> str:
        # ``type`` first, so a person reading frames in a log sees what each one is.
        return json.dumps({"type": self.type, **self.model_dump(mode="json", by_alias=True)})


class ReactionSummary(BaseModel):
    """One emoji on a message: who added it, in the order they did."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    emoji: str
    count: int
    users: list[str]


class RoomMessage(BaseModel):
    """A room message as REST pages and the ``history`` event carry it. A deleted one is a
    tombstone: ``deleted``, with no text and no reactions."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: int
    room: str
    user: str
    message: str
    timestamp: str
    edited_at: NullableTimestamp = None
    deleted: bool = False
    reactions: list[ReactionSummary] = []


class PrivateMessage(BaseModel):
    """A private message as REST pages carry it: ``user`` sent it ``to`` someone."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: int
    user: str
    to: str
    message: str
    timestamp: str
    edited_at: NullableTimestamp = None
    deleted: bool = False


class RoomMessagePage(BaseModel):
    results: list[RoomMessage]
    has_more: bool


class PrivateMessagePage(BaseModel):
    results: list[PrivateMessage]
    has_more: bool


class Conversation(BaseModel):
    user: str
    last_message: PrivateMessage
    # Private messages from ``user`` after the caller's read marker (``last_read_id``).
    unread_count: int
    last_read_id: Annotated[int | None, WithJsonSchema({"type": "integer", "nullable": True})]


class ConversationList(BaseModel):
    results: list[Conversation]


class UserListEvent(ServerEvent):
    type: Literal["user_list"] = "user_list"
    users: list[str]


class HistoryEvent(ServerEvent):
    type: Literal["history"] = "history"
    messages: list[RoomMessage]
    has_more: bool
    # On resume (after=ID): the first page of what changed since in the messages up to ID.
    changed: list[RoomMessage] = []
    changed_more: bool = False


class UserJoinEvent(ServerEvent):
    type: Literal["user_join"] = "user_join"
    user: str


class UserLeaveEvent(ServerEvent):
    type: Literal["user_leave"] = "user_leave"
    user: str


class ChatMessageEvent(RoomMessage, ServerEvent):
    type: Literal["chat_message"] = "chat_message"
    client_id: str | None


class PrivateMessageEvent(PrivateMessage, ServerEvent):
    type: Literal["private_message"] = "private_message"


class PrivateMessageDeliveredEvent(ServerEvent):
    type: Literal["private_message_delivered"] = "private_message_delivered"
    id: int
    target: str
    message: str
    timestamp: str
    client_id: str | None


class ErrorEvent(ServerEvent):
    type: Literal["error"] = "error"
    code: str
    message: str
    client_id: str | None


class PongEvent(ServerEvent):
    type: Literal["pong"] = "pong"


class TypingEvent(ServerEvent):
    """``user`` is typing in the room; never stored. Not sent to the typing socket itself."""

    type: Literal["typing"] = "typing"
    user: str


class ReadEvent(ServerEvent):
    """The user marked ``room`` (or the conversation ``with`` a user) read up to ``id``: sent
    to all of that user's sockets, so that their other tabs follow."""

    model_config = ConfigDict(populate_by_name=True)
    type: Literal["read"] = "read"
    room: str | None
    with_: str | None = Field(alias="with")
    id: int


class MessageEditedEvent(ServerEvent):
    """Message ``id`` of ``room`` (None: a private message) now reads ``message``."""

    type: Literal["message_edited"] = "message_edited"
    id: int
    room: str | None
    message: str
    edited_at: str


class MessageDeletedEvent(ServerEvent):
    type: Literal["message_deleted"] = "message_deleted"
    id: int
    room: str | None


class ReactionEvent(ServerEvent):
    """``user`` added (or took away) their ``emoji`` on room message ``id``."""

    type: Literal["reaction"] = "reaction"
    id: int
    room: str
    emoji: str
    user: str
    added: bool


class AuthenticatedEvent(ServerEvent):
    """The answer to ``authenticate``: the socket now lives until ``expires_at``."""

    type: Literal["authenticated"] = "authenticated"
    expires_at: str


SERVER_EVENTS: tuple[type[ServerEvent], ...] = (
    UserListEvent,
    HistoryEvent,
    UserJoinEvent,
    UserLeaveEvent,
    ChatMessageEvent,
    PrivateMessageEvent,
    PrivateMessageDeliveredEvent,
    ErrorEvent,
    PongEvent,
    AuthenticatedEvent,
    TypingEvent,
    ReadEvent,
    MessageEditedEvent,
    MessageDeletedEvent,
    ReactionEvent,
)
