from collections.abc import Awaitable

from channels.generic.websocket import AsyncWebsocketConsumer
from channels.routing import URLRouter
from django.urls import Resolver404, re_path

from chat.consumers import ChatConsumer
from chat.errors import ChatError


class NoSuchEndpoint(AsyncWebsocketConsumer):
    """Any other path (``/ws/chat/../x/``, ``/ws/chat/a%2Fb/``, ``/ws/else``): closed with 4400
    and a reason, rather than the server's HTTP 500 for a path no route matches."""

    async def connect(self) -> None:
        await self.accept()
        error = ChatError("There is no WebSocket endpoint at this path; use /ws/chat/ROOM/.")
        await self.close(code=error.close_code, reason=error.message)


class SocketRouter(URLRouter):
    """Channels' URLRouter as the outermost router of the sockets, with a ``__call__`` that
    returns the consumer's own coroutine instead of awaiting it (a tail call).

    Channels' ``__call__`` awaits the route's application, and its ``as_asgi`` wrapper awaits
    the consumer, so both frames stayed on every open socket's stack for its lifetime (with the
    scope the router copied, docs/performance.md). Here the route's consumer is made as its
    ``as_asgi`` wrapper would make it, and the scope it gets is the same: ``path_remaining``
    and ``url_route`` added to a copy."""

    def __call__(self, scope, receive, send) -> Awaitable[None]:
        path = scope["path"]
        root_path = scope.get("root_path", "")
        if root_path and not path.startswith(root_path):
            raise ValueError(f"No route found for path {path!r}.")
        path = path[len(root_path) :].lstrip("/")
        for route in self.routes:
            try:
                match = route.pattern.match(path)
            except Resolver404:
                continue
            if match:
                new_path, args, kwargs = match
                kwargs.update(route.default_args)
                url_route = {"args": args, "kwargs": kwargs}
                routed = dict(scope, path_remaining=new_path, url_route=url_route)
                return instantiate(route.callback)(routed, receive, send)
        raise ValueError(f"No route found for path {path!r}.")


def instantiate(application):
    """The consumer instance that Channels' ``as_asgi`` wrapper would make for one socket, or
    the application itself when it is not such a wrapper."""
    consumer_class = getattr(application, "consumer_class", None)
    if consumer_class is None:
        return application
    return consumer_class(**application.consumer_initkwargs)


# Any room segment reaches the consumer, which closes with 4400 for an invalid name
# instead of refusing the handshake without a reason.
websocket_urlpatterns = [
    re_path(r"^ws/chat/(?P<room_name>[^/]*)/?$", ChatConsumer.as_asgi()),
    re_path(r"", NoSuchEndpoint.as_asgi()),
]
