"""The ASGI entry point: HTTP goes to Django, WebSockets to the chat consumer."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Django must be set up before anything imports models.
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402

from accounts.websocket import (  # noqa: E402
    BrowserOriginValidator,
    WebSocketAuthMiddleware,
    allowed_origins,
)
from chat.routing import SocketRouter, websocket_urlpatterns  # noqa: E402

# Under ProtocolTypeRouter (whose frame stays, one per socket) each websocket layer returns the
# next one's coroutine instead of awaiting it, so an open socket's stack holds that frame and
# the consumer's, not one per layer (docs/performance.md, "Idle sockets under 20 KiB").
application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": BrowserOriginValidator(
            WebSocketAuthMiddleware(SocketRouter(websocket_urlpatterns)), allowed_origins()
        ),
    }
)
