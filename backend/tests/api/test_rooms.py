import pytest
from django.test import Client

from chat.models import Room
from chat.presence import presence_store

pytestmark = pytest.mark.django_db


def test_anyone_may_list_public_rooms_with_online_counts(api, lobby, staff_room, alice, bob):
    presence_store().enter(lobby.pk, "alice", "tab-1")
    presence_store().enter(lobby.pk, "alice", "tab-2")
    presence_store().enter(lobby.pk, "bob", "tab-1")
    body = api().get("/api/rooms/").json()
    assert body["count"] == 1
    assert body["next"] is None and body["previous"] is None
    [room] = body["results"]
    assert room["name"] == "lobby"
    assert room["admin_only"] is False
    assert room["online_count"] == 2
    assert room["created_at"].endswith("Z")


def test_staff_also_see_admin_only_rooms(api, lobby, staff_room, sam):
    names = [room["name"] for room in api(sam).get("/api/rooms/").json()["results"]]
    assert names == ["lobby", "staff"]


def test_the_list_is_paginated(api, db):
    Room.objects.bulk_create(Room(name=f"room-{n:03}") for n in range(60))
    first = api().get("/api/rooms/").json()
    assert first["count"] == 60
    assert len(first["results"]) == 50
    second = api().get(first["next"]).json()
    assert [room["name"] for room in second["results"]][-1] == "room-059"
    assert api().get("/api/rooms/?page=9").json()["code"] == "not_found"


def test_creating_a_room_returns_201_then_200(api, alice):
    created = api(alice).post("/api/rooms/", {"name": "games"}, format="json")
    assert created.status_code == 201
    assert created.json()["name"] == "games"
    again = api(alice).post("/api/rooms/", {"name": "games"}, format="json")
    assert again.status_code == 200
    assert Room.objects.filter(name="games").count() == 1


def test_creating_a_room_needs_a_token(api):
    response = api().post("/api/rooms/", {"name": "games"}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("name", ["", "has space", "x" * 65, "émoji", "a/b", "semi;colon"])
def test_it_rejects_invalid_room_names(api, alice, name):
    response = api(alice).post("/api/rooms/", {"name": name}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "name" in response.json()["errors"]


def test_only_staff_may_create_admin_only_rooms(api, alice, sam):
    refused = api(alice).post("/api/rooms/", {"name": "ops", "admin_only": True}, format="json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"
    assert not Room.objects.filter(name="ops").exists()
    allowed = api(sam).post("/api/rooms/", {"name": "ops", "admin_only": True}, format="json")
    assert allowed.status_code == 201
    assert allowed.json()["admin_only"] is True


def test_posting_the_name_of_an_admin_only_room_does_not_reveal_it_to_others(
    api, alice, staff_room
):
    response = api(alice).post("/api/rooms/", {"name": "staff"}, format="json")
    assert response.status_code == 403


def test_room_detail_lists_who_is_online(api, lobby, alice):
    presence_store().enter(lobby.pk, "alice", "tab-1")
    body = api().get("/api/rooms/lobby/").json()
    assert body["online"] == ["alice"]
    assert body["online_count"] == 1


def test_room_detail_of_an_unknown_room_is_404(api):
    response = api().get("/api/rooms/nowhere/")
    assert response.status_code == 404
    assert response.json()["code"] == "room_not_found"


def test_room_detail_of_an_admin_only_room_is_403_for_non_staff(api, alice, sam, staff_room):
    assert api(alice).get("/api/rooms/staff/").status_code == 403
    assert api().get("/api/rooms/staff/").status_code == 403
    assert api(sam).get("/api/rooms/staff/").status_code == 200


def test_unknown_endpoints_and_methods_answer_json(api, alice):
    missing = api().get("/api/nothing-here/")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    wrong_method = api(alice).delete("/api/rooms/")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["code"] == "method_not_allowed"


def test_an_unknown_endpoint_answers_json_to_unsafe_methods_too(db):
    # A browser-style client (CSRF enforced, as for a session) must not get Django's HTML 403.
    client = Client(enforce_csrf_checks=True)
    for method in (client.post, client.patch, client.delete):
        missing = method("/api/rooms/lobby/messages/not-a-number/")
        assert missing.status_code == 404
        assert missing.json()["code"] == "not_found"
