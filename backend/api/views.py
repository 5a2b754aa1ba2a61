"""Rooms, room history and private-message history: validate, call one service, serialize."""

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, permissions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as s
from api.schema import ecma, error, errors
from chat.changes import private_changes_page, room_changes_page
from chat.edits import message_delete, message_edit, private_message_delete, private_message_edit
from chat.history import (
    conversation_page,
    conversations_for,
    private_messages_page,
    room_messages_page,
)
from chat.messages import user_by_username
from chat.payloads import private_message_payload, room_message_payloads
from chat.presence import presence_store
from chat.protocol import (
    MAX_FRAME_CHARS,
    ConversationList,
    PrivateMessage,
    PrivateMessagePage,
    RoomMessage,
    RoomMessagePage,
)
from chat.reactions import reaction_set
from chat.reads import read_mark_conversation, read_mark_room
from chat.rooms import ROOM_NAME, room_for, room_get_or_create, rooms_visible_to
from chat.unread import room_read_states


class RoomPages(PageNumberPagination):
    page_size = 50


ROOM_NAME_PARAMETER = OpenApiParameter("name", str, OpenApiParameter.PATH, pattern=ecma(ROOM_NAME))


def paging_args(request, query_class=s.MessagePageQuery) -> dict:
    query = query_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data


def body_of(request, serializer_class) -> dict:
    body = serializer_class(data=request.data)
    body.is_valid(raise_exception=True)
    return body.validated_data


def room_message_response(message) -> Response:
    return Response(room_message_payloads([message])[0].model_dump())


MESSAGE_NOT_FOUND = error("`room_not_found`, or `message_not_found`: not in the room, or deleted.")


@extend_schema_view(
    get=extend_schema(
        responses={
            200: s.RoomSerializer,
            **errors(401, 429),
            404: error("`not_found`: there is no such page."),
        }
    ),
    post=extend_schema(
        request=s.RoomCreateSerializer,
        responses={
            200: s.RoomSerializer,
            201: s.RoomSerializer,
            **errors(400, 401, 429),
            403: error("`forbidden`: only staff create, or see, admin-only rooms."),
        },
    ),
)
class RoomListView(generics.ListCreateAPIView):
    pagination_class = RoomPages
    serializer_class = s.RoomSerializer

    def get_queryset(self):
        return rooms_visible_to(self.request.user)

    def list(self, request, *args, **kwargs) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        data = s.RoomSerializer(page, many=True, context=room_context(request, page)).data
        return self.get_paginated_response(data)

    def create(self, request, *args, **kwargs) -> Response:
        body = s.RoomCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        room, created = room_get_or_create(user=request.user, **body.validated_data)
        data = s.RoomSerializer(room, context=room_context(request, [room])).data
        return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def room_context(request, rooms: list) -> dict:
    """What RoomSerializer shows of a page of rooms, read once for the page."""
    return {
        "online_counts": presence_store().online_counts([room.pk for room in rooms]),
        "read_states": room_read_states(request.user, rooms),
    }


class RoomDetailView(APIView):
    @extend_schema(
        parameters=[ROOM_NAME_PARAMETER],
        responses={200: s.RoomDetailSerializer, **errors(400, 401, 403, 404, 429)},
    )
    def get(self, request, name: str) -> Response:
        room = room_for(user=request.user, name=name)
        online = presence_store().online(room.pk)
        context = {
            "online": online,
            "online_counts": {room.pk: len(online)},
            "read_states": room_read_states(request.user, [room]),
        }
        return Response(s.RoomDetailSerializer(room, context=context).data)


class RoomMessagesView(APIView):
    @extend_schema(
        parameters=[ROOM_NAME_PARAMETER, s.MessagePageQuery],
        responses={200: RoomMessagePage, **errors(400, 401, 403, 404, 429)},
    )
    def get(self, request, name: str) -> Response:
        room = room_for(user=request.user, name=name)
        return Response(room_messages_page(room=room, **paging_args(request)).model_dump())


class RoomMessageView(APIView):
    """One room message: its author edits or deletes it; staff delete any."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="room_message_edit",
        parameters=[ROOM_NAME_PARAMETER],
        request=s.MessageEditSerializer,
        responses={
            200: RoomMessage,
            **errors(400, 401, 429),
            403: error("`forbidden`: not your message; `edit_window_closed`: sent too long ago."),
            404: MESSAGE_NOT_FOUND,
        },
    )
    def patch(self, request, name: str, message_id: int) -> Response:
        room = room_for(user=request.user, name=name)
        text = body_of(request, s.MessageEditSerializer)["message"]
        message = message_edit(user=request.user, room=room, message_id=message_id, text=text)
        return room_message_response(message)

    @extend_schema(
        operation_id="room_message_delete",
        parameters=[ROOM_NAME_PARAMETER],
        responses={
            204: None,
            **errors(400, 401, 429),
            403: error("`forbidden`: not your message, and you are not staff."),
            404: MESSAGE_NOT_FOUND,
        },
    )
    def delete(self, request, name: str, message_id: int) -> Response:
        room = room_for(user=request.user, name=name)
        message_delete(user=request.user, room=room, message_id=message_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RoomMessageReactionsView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="room_message_react",
        parameters=[ROOM_NAME_PARAMETER],
        request=s.ReactionSerializer,
        responses={
            200: RoomMessage,
            **errors(401, 403, 429),
            400: error("`invalid_emoji`: not exactly one emoji; `invalid`: a malformed body."),
            404: MESSAGE_NOT_FOUND,
            409: error("`too_many_reactions`: the message has as many distinct emoji as it may."),
        },
    )
    def post(self, request, name: str, message_id: int) -> Response:
        room = room_for(user=request.user, name=name)
        body = body_of(request, s.ReactionSerializer)
        message = reaction_set(
            user=request.user,
            room=room,
            message_id=message_id,
            emoji=body["emoji"],
            added=body.get("added"),
        )
        return room_message_response(message)


class RoomChangesView(APIView):
    """What changed in the messages a client holds (up to ``after``) since it held them."""

    @extend_schema(
        parameters=[ROOM_NAME_PARAMETER, s.ChangesQuery],
        responses={200: RoomMessagePage, **errors(400, 401, 403, 404, 429)},
    )
    def get(self, request, name: str) -> Response:
        room = room_for(user=request.user, name=name)
        page = room_changes_page(room=room, **paging_args(request, s.ChangesQuery))
        return Response(page.model_dump())


class ConversationListView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: ConversationList, **errors(401, 429)})
    def get(self, request) -> Response:
        return Response(ConversationList(results=conversations_for(request.user)).model_dump())


class PrivateMessagesView(APIView):
    """All of the caller's private messages; with after=ID, what a reconnecting client missed."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="private_messages",
        parameters=[s.MessagePageQuery],
        responses={200: PrivateMessagePage, **errors(400, 401, 429)},
    )
    def get(self, request) -> Response:
        page = private_messages_page(user=request.user, **paging_args(request))
        return Response(page.model_dump())


class ConversationMessagesView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="conversation_messages",
        parameters=[s.MessagePageQuery],
        responses={200: PrivateMessagePage, **errors(400, 401, 404, 429)},
    )
    def get(self, request, username: str) -> Response:
        other = user_by_username(username)
        page = conversation_page(user=request.user, other=other, **paging_args(request))
        return Response(page.model_dump())


class ConversationMessageView(APIView):
    """One private message between the caller and ``username``: its sender edits or deletes it."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="conversation_message_edit",
        request=s.MessageEditSerializer,
        responses={
            200: PrivateMessage,
            **errors(400, 401, 429),
            403: error("`forbidden`: not your message; `edit_window_closed`: sent too long ago."),
            404: error("`user_not_found`, or `message_not_found`: not between you, or deleted."),
        },
    )
    def patch(self, request, username: str, message_id: int) -> Response:
        text = body_of(request, s.MessageEditSerializer)["message"]
        message = private_message_edit(
            user=request.user, username=username, message_id=message_id, text=text
        )
        return Response(private_message_payload(message).model_dump())

    @extend_schema(
        operation_id="conversation_message_delete",
        responses={
            204: None,
            **errors(400, 401, 429),
            403: error("`forbidden`: not your message."),
            404: error("`user_not_found`, or `message_not_found`: not between you, or deleted."),
        },
    )
    def delete(self, request, username: str, message_id: int) -> Response:
        private_message_delete(user=request.user, username=username, message_id=message_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PrivateChangesView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="private_changes",
        parameters=[s.ChangesQuery],
        responses={200: PrivateMessagePage, **errors(400, 401, 429)},
    )
    def get(self, request) -> Response:
        page = private_changes_page(user=request.user, **paging_args(request, s.ChangesQuery))
        return Response(page.model_dump())


class RoomReadView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="room_mark_read",
        parameters=[ROOM_NAME_PARAMETER],
        request=s.ReadMarkSerializer,
        responses={
            204: None,
            **errors(400, 401, 403, 429),
            404: error("`room_not_found`, or `message_not_found`: no such message in the room."),
        },
    )
    def post(self, request, name: str) -> Response:
        room = room_for(user=request.user, name=name)
        body = s.ReadMarkSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        read_mark_room(user=request.user, room=room, message_id=body.validated_data["id"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class ConversationReadView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="conversation_mark_read",
        request=s.ReadMarkSerializer,
        responses={
            204: None,
            **errors(400, 401, 429),
            404: error("`user_not_found`, or `message_not_found`: no such message between you."),
        },
    )
    def post(self, request, username: str) -> Response:
        body = s.ReadMarkSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        read_mark_conversation(
            user=request.user, username=username, message_id=body.validated_data["id"]
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class LimitsView(APIView):
    """The limits the server enforces, for clients to check input before sending it."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={200: s.LimitsSerializer, **errors(429)})
    def get(self, request) -> Response:
        chat = settings.CHAT
        limits = {
            "message_max_length": chat["MESSAGE_MAX_LENGTH"],
            "frame_max_chars": MAX_FRAME_CHARS,
            "ws_rate": chat["WS_RATE"],
            "ws_burst": chat["WS_BURST"],
            "edit_window": chat["MESSAGE_EDIT_WINDOW"],
            "reactions_per_message": chat["REACTIONS_PER_MESSAGE"],
        }
        return Response(s.LimitsSerializer(limits).data)
