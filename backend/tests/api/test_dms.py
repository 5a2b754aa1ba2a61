import pytest

from tests.conftest import write

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(alice, bob, mallory):
    """alice and bob talk; mallory once wrote to bob."""
    ids = []
    for n in range(5):
        sender, recipient = (alice, bob) if n % 2 == 0 else (bob, alice)
        ids.append(write(sender, recipient, f"d{n}").id)
    write(mallory, bob, "psst")
    return ids


def test_it_returns_both_directions_of_one_conversation(api, alice, conversation):
    body = api(alice).get("/api/dms/bob/messages/").json()
    assert [m["id"] for m in body["results"]] == conversation
    assert body["has_more"] is False
    assert body["results"][0] == {
        "id": conversation[0],
        "user": "alice",
        "to": "bob",
        "message": "d0",
        "timestamp": body["results"][0]["timestamp"],
        "edited_at": None,
        "deleted": False,
    }
    assert body["results"][1]["user"] == "bob"


def test_it_pages_like_room_history(api, alice, conversation):
    body = api(alice).get(f"/api/dms/bob/messages/?before={conversation[3]}&limit=2").json()
    assert [m["id"] for m in body["results"]] == conversation[1:3]
    assert body["has_more"] is True


def test_an_outsider_sees_only_her_own_conversation(api, mallory, conversation):
    with_bob = api(mallory).get("/api/dms/bob/messages/").json()["results"]
    assert [m["message"] for m in with_bob] == ["psst"]
    assert api(mallory).get("/api/dms/alice/messages/").json()["results"] == []


def test_it_needs_a_token(api, bob):
    response = api().get("/api/dms/bob/messages/")
    assert response.status_code == 401


def test_an_unknown_user_is_404(api, alice):
    response = api(alice).get("/api/dms/nobody/messages/")
    assert response.status_code == 404
    assert response.json()["code"] == "user_not_found"


def test_conversations_lists_partners_newest_first(api, bob, conversation):
    body = api(bob).get("/api/dms/").json()
    assert [c["user"] for c in body["results"]] == ["mallory", "alice"]
    assert body["results"][0]["last_message"]["message"] == "psst"
    assert body["results"][1]["last_message"]["id"] == conversation[-1]


def test_all_private_messages_lets_a_client_catch_up_after_a_reconnect(api, bob, conversation):
    """bob last saw conversation[1]; he missed the rest, from alice and from mallory."""
    body = api(bob).get(f"/api/dms/messages/?after={conversation[1]}").json()
    assert [m["message"] for m in body["results"]] == ["d2", "d3", "d4", "psst"]
    assert body["has_more"] is False


def test_all_private_messages_are_only_the_callers(api, alice, conversation):
    messages = api(alice).get("/api/dms/messages/").json()["results"]
    assert "psst" not in [m["message"] for m in messages]
    assert len(messages) == len(conversation)


def test_all_private_messages_need_a_token_and_valid_paging(api, alice):
    assert api().get("/api/dms/messages/").status_code == 401
    assert api(alice).get("/api/dms/messages/?after=x").json()["code"] == "invalid"
