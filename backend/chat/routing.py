from django.urls import re_path

from chat.consumers import ChatConsumer

# Any room segment reaches the consumer, which closes with 4400 for an invalid name
# instead of refusing the handshake without a reason.
websocket_urlpatterns = [re_path(r"^ws/chat/(?P<room_name>[^/]*)/?$", ChatConsumer.as_asgi())]
