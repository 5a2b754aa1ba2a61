"""The websocket stack's layers hand on the next one's coroutine instead of awaiting it, so that
an open socket's stack holds ProtocolTypeRouter's frame and the consumer's, nothing per layer
(docs/performance.md, "Idle sockets under 20 KiB"). What each path gets is tested through the
whole stack in test_consumer.py."""

import inspect

import pytest

from accounts.websocket import BrowserOriginValidator, Credentials, WebSocketAuthMiddleware
from chat.consumers import ChatConsumer
from chat.routing import NoSuchEndpoint, SocketRouter, websocket_urlpatterns
from tests.conftest import open_socket

router = SocketRouter(websocket_urlpatterns)


def websocket_scope(path: str, headers=(), **more) -> dict:
    return {"type": "websocket", "path": path, "query_string": b"", "headers": list(headers)} | more


async def receive():
    return {"type": "websocket.connect"}


async def send(message):
    pass


async def inner(scope, receive, send):
    pass


def test_the_router_hands_on_the_rooms_consumer_with_the_room_in_a_copy_of_the_scope():
    scope = websocket_scope("/ws/chat/lobby/")
    coroutine = router(scope, receive, send)
    try:
        assert coroutine.cr_code is ChatConsumer.__call__.__code__
        routed = coroutine.cr_frame.f_locals["scope"]
        assert routed["url_route"] == {"args": (), "kwargs": {"room_name": "lobby"}}
        assert routed["path_remaining"] == ""
        assert "url_route" not in scope
    finally:
        coroutine.close()


@pytest.mark.parametrize("path", ["/ws/chat/a/b/", "/ws/else/", "/"])
def test_the_router_hands_any_other_path_to_the_endpoint_that_closes_with_4400(path):
    coroutine = router(websocket_scope(path), receive, send)
    try:
        assert type(coroutine.cr_frame.f_locals["self"]) is NoSuchEndpoint
    finally:
        coroutine.close()


def test_the_router_honours_the_root_path():
    coroutine = router(websocket_scope("/p/ws/chat/lobby/", root_path="/p"), receive, send)
    try:
        assert coroutine.cr_frame.f_locals["scope"]["url_route"]["kwargs"] == {"room_name": "lobby"}
    finally:
        coroutine.close()
    with pytest.raises(ValueError):
        router(websocket_scope("/elsewhere/", root_path="/p"), receive, send)


def test_the_auth_middleware_hands_on_the_inner_coroutine():
    coroutine = WebSocketAuthMiddleware(inner)(websocket_scope("/"), receive, send)
    assert coroutine.cr_code is inner.__code__
    coroutine.close()


async def test_the_auth_middleware_passes_a_copy_of_the_scope_with_the_credentials():
    seen = {}

    async def remember(scope, receive, send):
        seen.update(scope)

    scope = websocket_scope("/", [(b"authorization", b"Bearer abc")])
    await WebSocketAuthMiddleware(remember)(scope, receive, send)
    assert seen["credentials"] == Credentials("bearer", "abc")
    assert "credentials" not in scope


def test_the_origin_check_hands_on_the_inner_coroutine_or_the_deniers():
    validator = BrowserOriginValidator(inner, ["localhost"])
    allowed = validator(websocket_scope("/", [(b"origin", b"http://localhost")]), receive, send)
    without_origin = validator(websocket_scope("/"), receive, send)
    refused = validator(websocket_scope("/", [(b"origin", b"https://evil.example")]), receive, send)
    try:
        assert allowed.cr_code is inner.__code__
        assert without_origin.cr_code is inner.__code__
        assert refused.cr_code is not inner.__code__
    finally:
        for coroutine in (allowed, without_origin, refused):
            coroutine.close()


def test_the_origin_check_refuses_other_scope_types():
    with pytest.raises(ValueError):
        BrowserOriginValidator(inner, ["*"])({"type": "http"}, receive, send)


@pytest.mark.django_db(transaction=True)
async def test_an_open_socket_awaits_in_the_protocol_router_then_the_consumer(alice, lobby):
    socket = await open_socket("/ws/chat/lobby/", user=alice)
    stack, awaiting = [], socket.future.get_coro()
    while inspect.iscoroutine(awaiting):
        stack.append(awaiting)
        awaiting = awaiting.cr_await
    names = [coroutine.cr_code.co_qualname for coroutine in stack]
    assert names[:2] == ["ProtocolTypeRouter.__call__", "ChatConsumer.__call__"]
    consumer = stack[1].cr_frame.f_locals["self"]
    # The access token is not kept for as long as the socket lives.
    assert "credentials" not in consumer.scope
    await socket.disconnect()
