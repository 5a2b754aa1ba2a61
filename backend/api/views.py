"""Rooms, room history and private-message history: validate, call one service, serialize."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, permissions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as s
from api.schema import ecma, error, errors
from chat.history import (
    conversation_page,
    conversations_for,
    private_messages_page,
    room_messages_page,
)
from chat.messages import user_by_username
from chat.presence import presence_store
from chat.protocol import ConversationList, PrivateMessagePage, RoomMessagePage
from chat.rooms import ROOM_NAME, room_for, room_get_or_create, rooms_visible_to


class RoomPages(PageNumberPagination):
    page_size = 50


ROOM_NAME_PARAMETER = OpenApiParameter("name", str, OpenApiParameter.PATH, pattern=ecma(ROOM_NAME))


def paging_args(request) -> dict:
    query = s.MessagePageQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data


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
        counts = presence_store().online_counts([room.pk for room in page])
        data = s.RoomSerializer(page, many=True, context={"online_counts": counts}).data
        return self.get_paginated_response(data)

    def create(self, request, *args, **kwargs) -> Response:
        body = s.RoomCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        room, created = room_get_or_create(user=request.user, **body.validated_data)
        counts = presence_store().online_counts([room.pk])
        data = s.RoomSerializer(room, context={"online_counts": counts}).data
        return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class RoomDetailView(APIView):
    @extend_schema(
        parameters=[ROOM_NAME_PARAMETER],
        responses={200: s.RoomDetailSerializer, **errors(400, 401, 403, 404, 429)},
    )
    def get(self, request, name: str) -> Response:
        room = room_for(user=request.user, name=name)
        online = presence_store().online(room.pk)
        context = {"online": online, "online_counts": {room.pk: len(online)}}
        return Response(s.RoomDetailSerializer(room, context=context).data)


class RoomMessagesView(APIView):
    @extend_schema(
        parameters=[ROOM_NAME_PARAMETER, s.MessagePageQuery],
        responses={200: RoomMessagePage, **errors(400, 401, 403, 404, 429)},
    )
    def get(self, request, name: str) -> Response:
        room = room_for(user=request.user, name=name)
        return Response(room_messages_page(room=room, **paging_args(request)).model_dump())


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
