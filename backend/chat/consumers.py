"""The chat WebSocket: a thin adapter between frames and the chat services."""

import logging
import secrets
import time
from datetime import UTC, datetime
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from redis.exceptions import RedisError

from accounts.websocket import Claim, credentials_claim, identity_renew
from chat.delivery.broker import BrokerUnavailable
from chat.delivery.hub import hub, room_topic, user_topic
from chat.delivery.outbox import Outbox, text_message
from chat.delivery.topics import NumberedTopic
from chat.edits import message_delete, message_edit, private_message_delete, private_message_edit
from chat.errors import BadCredentials, ChatError, Forbidden, RateLimited, RoomNotFound
from chat.messages import private_message_send, room_message_send
from chat.payloads import chat_message_event
from chat.protocol import (
    CLOSE_INTERNAL_ERROR,
    MAX_MESSAGE_ID,
    AuthenticatedEvent,
    AuthenticateFrame,
    ChatMessageFrame,
    DeleteMessageFrame,
    EditMessageFrame,
    ErrorEvent,
    MarkReadFrame,
    PingFrame,
    PongEvent,
    PrivateMessageDeliveredEvent,
    PrivateMessageFrame,
    ReactFrame,
    ServerEvent,
    TypingFrame,
    format_timestamp,
    parse_client_frame,
    private_command,
)
from chat.reactions import reaction_set
from chat.reads import read_mark_conversation, read_mark_room
from chat.rooms import check_room_access
from chat.sessions import (
    Opened,
    Snapshot,
    Start,
    keeper,
    known_rooms,
    session_close,
    sessions_start,
    socket_check,
)
from chat.sockets import credential_expired, local_sockets
from chat.threads import in_thread, in_thread_batches
from chat.typing import TYPING_INTERVAL, typing_notify

logger = logging.getLogger(__name__)

# At most this many handshakes share a hop: a storm's arrivals while the service threads are
# busy, and few enough that one batch holds a thread for milliseconds only.
HANDSHAKE_BATCH = 64

# The services a socket calls, each run in the service threads (wrapped once, not per call).
redeem_credentials = in_thread(credentials_claim)
check_socket = in_thread(socket_check)
close_session = in_thread(session_close)
send_private_message = in_thread(private_message_send)
renew_identity = in_thread(identity_renew)
notify_typing = in_thread(typing_notify)
mark_room_read = in_thread(read_mark_room)
mark_conversation_read = in_thread(read_mark_conversation)
edit_message = in_thread(message_edit)
edit_private_message = in_thread(private_message_edit)
delete_message = in_thread(message_delete)
delete_private_message = in_thread(private_message_delete)
set_reaction = in_thread(reaction_set)


async def _session_abandoned(start: Start, opened: Opened | None) -> None:
    """A socket whose handshake was cancelled while its session started: closed again."""
    if opened is not None:
        await close_session(
            room=opened.room,
            user=opened.identity.user,
            connection=start.connection,
            address=start.address,
        )


# Many sockets open at once (a storm, a restart): their sessions start in batches.
start_session = in_thread_batches(
    sessions_start, most=HANDSHAKE_BATCH, abandoned=_session_abandoned
)


class InternalError(ChatError):
    code = "internal_error"
    # Not "nothing was stored": the failure may come after the commit. A resend with the same
    # client_id is safe either way.
    default_message = "Something went wrong on the server. Resend with the same client_id."


class ChatConsumer(AsyncWebsocketConsumer):
    # Every attribute a socket sets has a slot: an idle socket keeps about 0.9 KiB less than
    # with an instance dict (docs/performance.md). The Channels bases have no __slots__, so an
    # instance still has a __dict__, made only if something sets an attribute not named here.
    __slots__ = (
        "scope",
        "channel_layer",
        "base_send",
        "user",
        "connection",
        "rate",
        "burst",
        "tokens",
        "tokens_at",
        "outbox",
        "room",
        "expires_at",
        "ended",
        "typed_at",
        "topics",
    )
    # No channel-layer groups; AsyncWebsocketConsumer's __init__ would give each socket a list.
    groups = ()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.room = None
        self.outbox: Outbox | None = None
        # When the socket's credential expires (seconds since the epoch); None: anonymous, never.
        self.expires_at: float | None = None
        # Set once the socket's access ended: it is closing, and no frame is read any more.
        self.ended = False
        # When this socket last passed a typing notice on (time.monotonic()).
        self.typed_at = float("-inf")
        # The hub topics this socket hears: its room, and for a user, their private messages.
        self.topics: tuple[str, ...] = ()

    async def __call__(self, scope, receive, send) -> None:
        # Channels' own __call__ runs receive() in a task and waits on it with asyncio.wait, so
        # that it can listen to a channel layer as well; this consumer has none, so it awaits
        # receive() directly: no task per socket, nor per frame. It also leaves the room however
        # the consumer ends (Channels skips disconnect() when a handler raises).
        self.scope = scope
        self.channel_layer = None
        self.base_send = send
        try:
            while True:
                await self.dispatch(await receive())
        except StopConsumer:
            pass
        finally:
            await self.leave_room()

    async def connect(self) -> None:
        """Called when the handshake arrives: accept, then join the room or close with a code."""
        self.user = AnonymousUser()  # until the credentials are checked
        # Names this socket in presence, and marks its own user_join so it is not echoed back.
        self.connection = secrets.token_hex(8)
        self.rate, self.burst = settings.CHAT["WS_RATE"], settings.CHAT["WS_BURST"]
        self.tokens = float(self.burst)
        self.tokens_at = time.monotonic()
        await self.accept()
        # From here on every frame goes out through the outbox, broadcasts and replies alike.
        self.outbox = Outbox(self.base_send, limit=settings.CHAT["SOCKET_BACKLOG"])
        try:
            await self.join_room()
        except ChatError as error:
            await self.close(code=error.close_code, reason=error.message[:120])
        except (BrokerUnavailable, RedisError) as error:
            # Redis is away (restarting?): the client retries with backoff.
            logger.warning("could not open %s: %r", self.scope["path"], error)
            await self.close(code=CLOSE_INTERNAL_ERROR, reason="temporarily unavailable")
        except Exception:
            logger.exception("could not open %s for %s", self.scope["path"], self.user)
            await self.close(code=CLOSE_INTERNAL_ERROR)

    @property
    def address(self) -> str | None:
        client = self.scope.get("client")
        return client[0] if client else None

    async def join_room(self) -> None:
        # Taken out of the scope: the token is not kept for the socket's lifetime.
        credentials = self.scope.pop("credentials")
        name = self.scope["url_route"]["kwargs"]["room_name"]
        # Raises BadCredentials before anything is heard; a ticket is used up here.
        if credentials.checked_in_place:
            claim = credentials_claim(credentials)
        else:
            claim = await redeem_credentials(credentials)
        if not await self.join_known_room(claim, name):
            await self.join_any_room(claim, name)
        known_rooms.learn(name, self.room.pk)

    async def join_known_room(self, claim: Claim, name: str) -> bool:
        """The way in: the topics first, by the room's id (known to the process, or looked up
        once for the room's sockets that arrive together) and the claim's user id, then one hop
        that checks the socket and opens its session (chat/sessions.py). False, having sent
        nothing, where the process cannot tell the room's id or the resume point is bad."""
        try:
            after = resume_point(self.scope)
        except ChatError:
            return False  # join_any_room refuses it, after the checks that come first
        room_id = await known_rooms.find(name)
        return room_id is not None and await self.join_room_numbered(claim, room_id, name, after)

    async def join_any_room(self, claim: Claim, name: str) -> None:
        """Where the way in does not apply: the checks, so that a refusal is the one they would
        give in their order, then the way in with the room's id they found."""
        room_id = await check_socket(claim=claim, room_name=name)
        after = resume_point(self.scope)
        if not await self.join_room_numbered(claim, room_id, name, after):
            raise RoomNotFound(f'No room named "{name}".')  # renamed in the meantime

    async def join_room_numbered(
        self, claim: Claim, room_id: int, name: str, after: int | None
    ) -> bool:
        """Hears the topics, then checks the socket and opens its session; False, having
        left its topics, where ``name`` is no longer the room ``room_id``."""
        try:
            streams = await self.hear_topics(room_id, claim.user_id)
            # The access read below comes after this: what changes it from here on reaches
            # local_sockets, which replays it to this socket when it is added.
            seen = local_sockets.changes_seen()
            opened = await start_session(
                Start(claim, room_id, name, self.connection, self.address, after)
            )
        except BaseException:
            self.leave_topics()  # the session, if entered, was closed again
            raise
        if opened is None:
            self.leave_topics()
            known_rooms.forget(name)
            return False
        (self.user, self.expires_at), self.room, snapshot = opened
        local_sockets.add(self, topics=self.topics, seen=seen)
        await self.go_live(streams, snapshot)
        return True

    async def hear_topics(self, room_id: int, user_id: int | str | None) -> list[NumberedTopic]:
        """Joins this socket's topics in the hub: its room, and for a user their private ones."""
        hub.ensure_running()
        keeper.ensure_running()
        local_sockets.ensure_running()
        self.topics = (room_topic(room_id),)
        if user_id is not None:
            self.topics += (user_topic(user_id),)
        return [await hub.join(name, self.outbox) for name in self.topics]

    def leave_topics(self) -> None:
        for name in self.topics:
            hub.leave(name, self.outbox)
        self.topics = ()

    async def go_live(self, streams: list[NumberedTopic], snapshot: Snapshot) -> None:
        """Sends the snapshot, then what the topics held for the socket meanwhile, less what
        the snapshot had; live from here on."""
        await self.send_event(snapshot.users)
        await self.send_event(snapshot.history)
        room_stream, *private_streams = streams
        room_stream.go_live(self.outbox, seen_up_to=snapshot.last_seq, origin=self.connection)
        for stream in private_streams:
            # Private messages are not in the history (clients catch up over REST after every
            # connect): everything held follows it.
            stream.begin(snapshot.mailbox_seq)
            stream.go_live(self.outbox, seen_up_to=None, origin=None)

    async def disconnect(self, code: int) -> None:
        """Called when the socket closes, for any reason."""
        await self.leave_room()

    async def websocket_disconnect(self, message: dict) -> None:
        # Channels' own then closes stale database connections from its sync thread: a hop per
        # close that this consumer does not need (it never uses the database on the loop, see
        # dispatch), and that a server's shutdown grace cancels when thousands close at once.
        await self.disconnect(message["code"])
        raise StopConsumer()

    async def leave_room(self) -> None:
        """Leaves the topics and presence, once, however the socket ended."""
        if self.room is None:
            return
        local_sockets.remove(self)
        room, self.room = self.room, None
        self.leave_topics()
        try:
            await close_session(
                room=room, user=self.user, connection=self.connection, address=self.address
            )
        except RedisError as error:
            # The keeper no longer renews the entries, so they expire: the user leaves late.
            logger.warning("closing the session failed for %s: %r", self.user, error)

    async def receive(self, text_data=None, bytes_data=None) -> None:
        """Called for every frame: parse it, run its handler, answer a refusal with an error."""
        if self.room is None or self.ended:
            return
        if self.expires_at is not None and time.time() >= self.expires_at:
            self.end(credential_expired())
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
        command = private_command(frame.message)
        if command is not None:
            to, text = command
            await self.on_private_message(
                PrivateMessageFrame(
                    type="private_message", to=to, message=text, client_id=frame.client_id
                )
            )
            return
        message, created = await room_message_send(
            user=self.user, room=self.room, text=frame.message, client_id=frame.client_id
        )
        if not created:
            # A resend of a message already stored: answer this socket only.
            await self.send_event(chat_message_event(message))

    async def on_private_message(self, frame: PrivateMessageFrame) -> None:
        message, _ = await send_private_message(
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

    async def on_authenticate(self, frame: AuthenticateFrame) -> None:
        identity = await renew_identity(user=self.user, token=frame.token)
        # The user row read just now: a staff flag taken meanwhile counts from here on.
        self.user.is_staff = identity.user.is_staff
        try:
            check_room_access(user=self.user, room=self.room)
        except Forbidden as refused:
            self.end(refused)
            return
        self.expires_at = identity.expires_at
        local_sockets.expires(self)
        moment = datetime.fromtimestamp(identity.expires_at, UTC)
        await self.send_event(AuthenticatedEvent(expires_at=format_timestamp(moment)))

    async def on_typing(self, frame: TypingFrame) -> None:
        now = time.monotonic()
        if self.user.is_authenticated and now - self.typed_at < TYPING_INTERVAL:
            return  # the others still show the last notice
        await notify_typing(user=self.user, room=self.room, connection=self.connection)
        self.typed_at = now

    async def on_mark_read(self, frame: MarkReadFrame) -> None:
        if frame.with_ is None:
            await mark_room_read(user=self.user, room=self.room, message_id=frame.id)
        else:
            await mark_conversation_read(user=self.user, username=frame.with_, message_id=frame.id)

    # Edits, deletions and reactions are answered by their broadcast, which reaches this socket
    # too (the room's, or the user's own topic for a private message).
    async def on_edit_message(self, frame: EditMessageFrame) -> None:
        if frame.with_ is None:
            await edit_message(
                user=self.user, room=self.room, message_id=frame.id, text=frame.message
            )
        else:
            await edit_private_message(
                user=self.user, username=frame.with_, message_id=frame.id, text=frame.message
            )

    async def on_delete_message(self, frame: DeleteMessageFrame) -> None:
        if frame.with_ is None:
            await delete_message(user=self.user, room=self.room, message_id=frame.id)
        else:
            await delete_private_message(user=self.user, username=frame.with_, message_id=frame.id)

    async def on_react(self, frame: ReactFrame) -> None:
        await set_reaction(
            user=self.user,
            room=self.room,
            message_id=frame.id,
            emoji=frame.emoji,
            added=frame.added,
        )

    handlers = {
        ChatMessageFrame: on_chat_message,
        PrivateMessageFrame: on_private_message,
        PingFrame: on_ping,
        AuthenticateFrame: on_authenticate,
        TypingFrame: on_typing,
        MarkReadFrame: on_mark_read,
        EditMessageFrame: on_edit_message,
        DeleteMessageFrame: on_delete_message,
        ReactFrame: on_react,
    }

    def end(self, error: BadCredentials | Forbidden) -> None:
        """Called when the socket's access ends: it closes with the error's code, and the
        frames that arrive meanwhile are not read."""
        if not self.ended:
            self.ended = True
            self.outbox.close(error.close_code, error.message[:120])

    async def dispatch(self, message: dict) -> None:
        # Channels' own dispatch first hops to its single sync thread to close stale database
        # connections: one hop per frame and per broadcast delivered, all through one thread.
        # This consumer never touches Django's connections on the loop (services run via
        # in_thread, which closes stale ones in its own thread; chat/loop_store.py has a pool of
        # its own), so it skips that hop.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def send_event(self, event: ServerEvent) -> None:
        await self.send(text_data=event.to_text())

    async def send(self, text_data=None, bytes_data=None, close=False) -> None:
        # Through the outbox, so that a reply never overtakes a broadcast queued before it.
        self.outbox.put(text_message(text_data))
        if close:
            await self.close()

    async def close(self, code=None, reason=None) -> None:
        self.outbox.close(1000 if code is None else code, reason or "")

    async def send_error(self, error: ChatError, frame) -> None:
        client_id = error.client_id or getattr(frame, "client_id", None)
        await self.send_event(
            ErrorEvent(code=error.code, message=error.message, client_id=client_id)
        )


def resume_point(scope: dict) -> int | None:
    values = parse_qs(scope.get("query_string", b"").decode("latin1")).get("after")
    if not values:
        return None
    digits = values[0].lstrip("0") or "0"
    # isdigit() alone would admit digits like "²", which int() then refuses; the length comes
    # before int(), which refuses thousands of digits (an id has at most 19).
    well_formed = digits.isascii() and digits.isdigit() and len(digits) <= 19
    if not well_formed or int(digits) > MAX_MESSAGE_ID:
        raise ChatError("after must be a message id (a whole number).")
    return int(digits)
