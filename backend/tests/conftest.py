"""Shared fixtures. The personas:

- alice and bob: ordinary users who chat with each other;
- mallory: an ordinary user who tries to see what is not hers (other people's private messages);
- sam: a staff user, the only one who may use admin-only rooms.
"""

import pytest
import redis
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from chat import loop_store
from chat.delivery.broker import broker, shared_redis
from chat.delivery.hub import hub
from chat.models import DirectMessage, Message, Room
from chat.presence import presence_store
from chat.sessions import keeper, known_rooms
from chat.slots import socket_slots
from chat.sockets import local_sockets
from chat.store import private_message_insert, room_message_insert
from config.asgi import application

PASSWORD = "correct horse battery staple"

# Socket handlers run in a thread pool; persistent connections there would outlive each test
# and keep the PostgreSQL test database busy at teardown.
settings.DATABASES["default"]["CONN_MAX_AGE"] = 0
# WhiteNoise warns on every request when collectstatic never ran (a fresh clone).
settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)


def services_configured() -> bool:
    return bool(settings.REDIS_URL) and settings.DATABASES["default"]["ENGINE"].endswith(
        "postgresql"
    )


def pytest_collection_modifyitems(config, items):
    # The embedded run skips these; `make test` runs the suite again with the services, where
    # an unreachable PostgreSQL or Redis fails (services_answer, and pytest-django's own set-up).
    if services_configured():
        return
    skip = pytest.mark.skip(reason="needs DATABASE_URL (PostgreSQL) and REDIS_URL")
    for item in items:
        if "services" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def services_answer():
    """With the services configured, an unreachable one fails the run instead of skipping."""
    if settings.REDIS_URL:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3).ping()


@pytest.fixture(scope="session", autouse=True)
def no_lingering_database_sessions(django_db_setup, django_db_blocker):
    """Async tests leave connections open in asgiref's worker threads, which PostgreSQL counts
    as users of the test database and so refuses to drop it; end them before the drop."""
    yield
    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(autouse=True)
def fresh_chat_state():
    # Each test gets its own event loop (whose end cancels the hub's tasks); the hub, broker and
    # presence objects of an earlier loop or test must not leak into it.
    hub.reset()
    local_sockets.reset()
    for cached in (broker, shared_redis, presence_store, socket_slots):
        cached.cache_clear()
    keeper.clear()
    known_rooms.clear()
    cache.clear()
    if settings.REDIS_URL:
        redis.Redis.from_url(settings.REDIS_URL).flushdb()


@pytest.fixture(autouse=True)
async def loop_connections_closed():
    """The event loop's own database connections (chat/loop_store.py) are the test loop's."""
    yield
    await loop_store.close()


def post(room: Room, user, content: str) -> Message:
    """Stores a message as the chat does (numbered in its room), without broadcasting it."""
    return room_message_insert(room=room, user=user, content=content, client_id=None)


apost = sync_to_async(post)


def write(sender, recipient, content: str) -> DirectMessage:
    """Stores a private message as the chat does (numbered for its recipient), unannounced."""
    return private_message_insert(
        sender=sender, recipient=recipient, content=content, client_id=None
    )


awrite = sync_to_async(write)


def make_user(username: str, **extra):
    return get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)


@pytest.fixture
def alice(db):
    return make_user("alice")


@pytest.fixture
def bob(db):
    return make_user("bob")


@pytest.fixture
def mallory(db):
    return make_user("mallory")


@pytest.fixture
def sam(db):
    return make_user("sam", is_staff=True)


@pytest.fixture
def lobby(db):
    return Room.objects.create(name="lobby")


@pytest.fixture
def staff_room(db):
    return Room.objects.create(name="staff", admin_only=True)


def bearer(user) -> str:
    return f"Bearer {AccessToken.for_user(user)}"


@pytest.fixture
def api():
    """api() is an anonymous client; api(alice) sends alice's access token."""

    def client_for(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=bearer(user))
        return client

    return client_for


async def open_socket(path: str, *, user=None, headers=None, expect_close=False):
    """Connect through the whole ASGI stack (origin check, auth middleware, routing)."""
    all_headers = list(headers or [])
    if user is not None:
        all_headers.append((b"authorization", bearer(user).encode()))
    socket = WebsocketCommunicator(application, path, headers=all_headers)
    connected, _ = await socket.connect()
    assert connected
    if not expect_close:
        assert (await socket.receive_json_from())["type"] == "user_list"
        assert (await socket.receive_json_from())["type"] == "history"
    return socket


async def receive_until(socket, event_type: str, timeout: float = 2):
    """The next frame of ``event_type``, skipping others (presence noise, for example)."""
    while True:
        frame = await socket.receive_json_from(timeout=timeout)
        if frame["type"] == event_type:
            return frame
