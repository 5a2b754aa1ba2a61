from rest_framework import serializers

from chat.errors import InvalidRoomName
from chat.models import Room
from chat.protocol import format_timestamp
from chat.rooms import ROOM_NAME


class RoomCreateSerializer(serializers.Serializer):
    name = serializers.RegexField(
        ROOM_NAME.pattern,
        max_length=64,
        error_messages={"invalid": InvalidRoomName.default_message},
    )
    admin_only = serializers.BooleanField(default=False)


class RoomSerializer(serializers.ModelSerializer):
    """A room; ``online_counts`` in the context maps room id -> users online (one lookup a page)."""

    online_count = serializers.SerializerMethodField()
    created_at = serializers.SerializerMethodField()

    class Meta:
        model = Room
        fields = ["name", "admin_only", "online_count", "created_at"]

    def get_online_count(self, room: Room) -> int:
        return self.context["online_counts"].get(room.pk, 0)

    def get_created_at(self, room: Room) -> str:
        return format_timestamp(room.created_at)


class RoomDetailSerializer(RoomSerializer):
    """A room and who is in it; ``online`` in the context lists the usernames."""

    online = serializers.SerializerMethodField()

    class Meta(RoomSerializer.Meta):
        fields = [*RoomSerializer.Meta.fields, "online"]

    def get_online(self, room: Room) -> list[str]:
        return self.context["online"]


# The largest id a message can have (BigAutoField); a larger one would overflow the query.
MAX_MESSAGE_ID = 2**63 - 1


class MessagePageQuery(serializers.Serializer):
    before = serializers.IntegerField(required=False, min_value=0, max_value=MAX_MESSAGE_ID)
    after = serializers.IntegerField(required=False, min_value=0, max_value=MAX_MESSAGE_ID)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=100, default=50)
