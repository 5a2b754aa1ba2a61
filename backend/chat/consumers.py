"""The chat WebSocket: a thin adapter between frames and the chat services."""

import logging
import time
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from chat.errors import BadCredentials, ChatError, InvalidFrame, RateLimited
from chat.groups import user_group
from chat.messages import chat_message_event, message_send, private_message_send
from chat.protocol import (
    ChatMessageFrame,
    ErrorEvent,
    PingFrame,
    PongEvent,
    PrivateMessageDeliveredEvent,
    PrivateMessageFrame,
    ServerEvent,
    format_timestamp,
    parse_client_frame,
)
from chat.rooms import room_for
from chat.sessions import keeper, presence_enter, presence_exit, room_snapshot

logger = logging.getLogger(__name__)


def in_thread(func):
    """Run blocking service code off the event loop, in the shared pool (not one thread)."""
    return database_sync_to_async(func, thread_sensitive=False)


# The server failed to open the room. Not RFC 6455's 1011: autobahn (daphne) lets applications
# send only 1000 and 3000-4999, and raises on anything else.
INTERNAL_ERROR_CLOSE = 4500


class InternalError(ChatError):
    code = "internal_error"
    default_message = "Something went wrong on the server; nothing was stored. Try again."


class ChatConsumer(AsyncWebsocketConsumer):
    room = None
    # Largest message id already sent in the history; broadcasts up to it are duplicates.
    seen_up_to = 0

    async def connect(self) -> None:
        """Called when the handshake arrives: accept, then join the room or close with a code."""
        self.user = self.scope["user"]
        self.rate, self.burst = settings.CHAT["WS_RATE"], settings.CHAT["WS_BURST"]
        self.tokens = float(self.burst)
        self.tokens_at = time.monotonic()
        await self.accept()
        try:
            await self.join_room()
        except ChatError as error:
            await self.close(code=error.close_code, reason=error.message[:120])
        except Exception:
            logger.exception("could not open %s for %s", self.scope["path"], self.user)
            await self.close(code=INTERNAL_ERROR_CLOSE)

    async def join_room(self) -> None:
        if self.scope.get("auth_error"):
            raise BadCredentials(self.scope["auth_error"])
        after = resume_point(self.scope)
        room = await in_thread(room_for)(
            user=self.user, name=self.scope["url_route"]["kwargs"]["room_name"]
        )
        # Announce before joining the group (no user_join echoed to ourselves); join the
        # group before the snapshot, so a message sent meanwhile is in one or the other.
        await in_thread(presence_enter)(room=room, user=self.user, connection=self.channel_name)
        self.room = room
        for group in self.broadcast_groups():
            await self.channel_layer.group_add(group, self.channel_name)
        keeper.track_groups(self.channel_name, self.broadcast_groups())
        users, history = await in_thread(room_snapshot)(room=room, after=after)
        if history.messages:
            self.seen_up_to = history.messages[-1].id
        await self.send_event(users)
        await self.send_event(history)
        keeper.ensure_running()

    async def disconnect(self, code: int) -> None:
        """Called when the socket closes, for any reason."""
        if self.room is None:
            return
        keeper.forget_groups(self.channel_name)
        for group in self.broadcast_groups():
            await self.channel_layer.group_discard(group, self.channel_name)
        await in_thread(presence_exit)(room=self.room, user=self.user, connection=self.channel_name)

    def broadcast_groups(self) -> tuple[str, ...]:
        """The room's broadcasts, and for a user, their private messages wherever they are."""
        if self.user.is_authenticated:
            return (self.room.group_name, user_group(self.user.pk))
        return (self.room.group_name,)

    async def receive(self, text_data=None, bytes_data=None) -> None:
        """Called for every frame: parse it, run its handler, answer a refusal with an error."""
        if self.room is None:
            return
        frame = None
        try:
            # Every frame spends from the budget, so a flood of junk is limited too; the parse
            # still comes first so that a refusal can name the frame's client_id.
            within_rate = self.take_token()
            frame = parse_client_frame(text_data)
            if not within_rate:
                raise RateLimited()
            await self.handlers[type(frame)](self, frame)
        except ChatError as error:
            await self.send_error(error, frame)
        except Exception:
            logger.exception("frame failed for %s in %s", self.user, self.room)
            await self.send_error(InternalError(), frame)

    def take_token(self) -> bool:
        """A token bucket: WS_RATE frames a second on average, bursts of up to WS_BURST."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.tokens_at) * self.rate)
        self.tokens_at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True

    async def on_chat_message(self, frame: ChatMessageFrame) -> None:
        if frame.message.startswith("/pm "):
            await self.on_private_message(private_frame_from_command(frame))
            return
        message, created = await in_thread(message_send)(
            user=self.user, room=self.room, text=frame.message, client_id=frame.client_id
        )
        if not created:
            # A resend of a message already stored: answer this socket only.
            await self.send_event(chat_message_event(message))

    async def on_private_message(self, frame: PrivateMessageFrame) -> None:
        message, _ = await in_thread(private_message_send)(
            sender=self.user, to=frame.to, text=frame.message, client_id=frame.client_id
        )
        await self.send_event(
            PrivateMessageDeliveredEvent(
                id=message.id,
                target=message.recipient.username,
                message=message.content,
                timestamp=format_timestamp(message.created_at),
                client_id=message.client_id,
            )
        )

    async def on_ping(self, frame: PingFrame) -> None:
        await self.send_event(PongEvent())

    handlers = {
        ChatMessageFrame: on_chat_message,
        PrivateMessageFrame: on_private_message,
        PingFrame: on_ping,
    }

    async def dispatch(self, message: dict) -> None:
        # Channels' own dispatch first hops to its single sync thread to close stale database
        # connections: one hop per frame and per broadcast delivered, all through one thread.
        # This consumer never touches the database on the loop (services run via in_thread,
        # which closes stale connections in its own thread), so it skips that hop.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def chat_event(self, event: dict) -> None:
        """Called for every broadcast to a group this socket is in: forward the ready text."""
        message_id = event.get("message_id")
        if message_id is not None and message_id <= self.seen_up_to:
            return
        await self.send(text_data=event["text"])

    async def send_event(self, event: ServerEvent) -> None:
        await self.send(text_data=event.to_text())

    async def send_error(self, error: ChatError, frame) -> None:
        client_id = error.client_id or getattr(frame, "client_id", None)
        await self.send_event(
            ErrorEvent(code=error.code, message=error.message, client_id=client_id)
        )


def resume_point(scope: dict) -> int | None:
    values = parse_qs(scope.get("query_string", b"").decode("latin1")).get("after")
    if not values:
        return None
    # isdigit() alone would admit digits like "²", which int() then refuses.
    if not (values[0].isascii() and values[0].isdigit()):
        raise ChatError("after must be a message id (a whole number).")
    return int(values[0])


def private_frame_from_command(frame: ChatMessageFrame) -> PrivateMessageFrame:
    """The tutorial's "/pm USERNAME TEXT" shortcut, as a private_message frame."""
    to, _, text = frame.message[len("/pm ") :].strip().partition(" ")
    if not to:
        raise InvalidFrame("Write /pm USERNAME MESSAGE.")
    return PrivateMessageFrame(
        type="private_message", to=to, message=text, client_id=frame.client_id
    )
