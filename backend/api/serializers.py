from rest_framework import serializers

from chat.errors import InvalidRoomName
from chat.models import Room
from chat.protocol import MAX_MESSAGE_ID, format_timestamp
from chat.rooms import ROOM_NAME


class RoomCreateSerializer(serializers.Serializer):
    name = serializers.RegexField(
        ROOM_NAME.pattern,
        max_length=64,
        error_messages={"invalid": InvalidRoomName.default_message},
    )
    admin_only = serializers.BooleanField(default=False)


class RoomSerializer(serializers.ModelSerializer):
    """A room; in the context, ``online_counts`` maps room id -> users online and
    ``read_states`` room id -> (unread count, last read id), each read once for a whole page."""

    online_count = serializers.SerializerMethodField()
    unread_count = serializers.SerializerMethodField(
        help_text="Messages of others after the caller's read marker (0 when anonymous)."
    )
    last_read_id = serializers.SerializerMethodField(
        help_text="The caller's read marker: the last message id read, or null."
    )
    created_at = serializers.SerializerMethodField()

    class Meta:
        model = Room
        fields = [
            "name",
            "admin_only",
            "online_count",
            "unread_count",
            "last_read_id",
            "created_at",
        ]

    def get_online_count(self, room: Room) -> int:
        return self.context["online_counts"].get(room.pk, 0)

    def get_unread_count(self, room: Room) -> int:
        return self.context.get("read_states", {}).get(room.pk, (0, None))[0]

    def get_last_read_id(self, room: Room) -> int | None:
        return self.context.get("read_states", {}).get(room.pk, (0, None))[1]

    def get_created_at(self, room: Room) -> str:
        return format_timestamp(room.created_at)


class RoomDetailSerializer(RoomSerializer):
    """A room and who is in it; ``online`` in the context lists the usernames."""

    online = serializers.SerializerMethodField()

    class Meta(RoomSerializer.Meta):
        fields = [*RoomSerializer.Meta.fields, "online"]

    def get_online(self, room: Room) -> list[str]:
        return self.context["online"]


class ReadMarkSerializer(serializers.Serializer):
    id = serializers.IntegerField(min_value=1, max_value=MAX_MESSAGE_ID)


class LimitsSerializer(serializers.Serializer):
    message_max_length = serializers.IntegerField(help_text="Characters a message may have.")
    frame_max_chars = serializers.IntegerField(help_text="Characters a WebSocket frame may have.")
    ws_rate = serializers.IntegerField(help_text="WebSocket frames a second, on average.")
    ws_burst = serializers.IntegerField(help_text="WebSocket frames in a burst.")
    edit_window = serializers.IntegerField(
        help_text="Seconds after sending during which a message may be edited."
    )
    reactions_per_message = serializers.IntegerField(
        help_text="Distinct emoji a message may carry."
    )


class MessagePageQuery(serializers.Serializer):
    before = serializers.IntegerField(required=False, min_value=0, max_value=MAX_MESSAGE_ID)
    after = serializers.IntegerField(required=False, min_value=0, max_value=MAX_MESSAGE_ID)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=100, default=50)


class MessageEditSerializer(serializers.Serializer):
    # Checked by the edit service itself (empty, too_long), as over WebSocket.
    message = serializers.CharField(allow_blank=True, trim_whitespace=False)


class ReactionSerializer(serializers.Serializer):
    emoji = serializers.CharField(max_length=32, trim_whitespace=False, help_text="One emoji.")
    added = serializers.BooleanField(
        required=False, help_text="Set (true) or take away (false); left out: toggle."
    )


class ChangesQuery(serializers.Serializer):
    after = serializers.IntegerField(min_value=0, max_value=MAX_MESSAGE_ID)
    before = serializers.IntegerField(required=False, min_value=0, max_value=MAX_MESSAGE_ID)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=100, default=50)
