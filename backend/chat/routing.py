from channels.generic.websocket import AsyncWebsocketConsumer
from django.urls import re_path

from chat.consumers import ChatConsumer
from chat.errors import ChatError


class NoSuchEndpoint(AsyncWebsocketConsumer):
    """Any other path (``/ws/chat/../x/``, ``/ws/chat/a%2Fb/``, ``/ws/else``): closed with 4400
    and a reason, rather than the server's HTTP 500 for a path no route matches."""

    async def connect(self) -> None:
        await self.accept()
        error = ChatError("There is no WebSocket endpoint at this path; use /ws/chat/ROOM/.")
        await self.close(code=error.close_code, reason=error.message)


# Any room segment reaches the consumer, which closes with 4400 for an invalid name
# instead of refusing the handshake without a reason.
websocket_urlpatterns = [
    re_path(r"^ws/chat/(?P<room_name>[^/]*)/?$", ChatConsumer.as_asgi()),
    re_path(r"", NoSuchEndpoint.as_asgi()),
]
