import pytest

from tests.conftest import post

pytestmark = pytest.mark.django_db


@pytest.fixture
def chatter(lobby, alice):
    """Twelve messages in the lobby; returns their ids, oldest first."""
    return [post(lobby, alice, f"m{n}").id for n in range(12)]


def page(api, query="", room="lobby"):
    return api().get(f"/api/rooms/{room}/messages/{query}")


def test_without_a_cursor_it_returns_the_newest_page_oldest_first(api, chatter):
    body = page(api, "?limit=5").json()
    assert [m["id"] for m in body["results"]] == chatter[-5:]
    assert body["has_more"] is True
    first = body["results"][0]
    assert set(first) == {
        *("id", "room", "user", "message", "timestamp"),
        *("edited_at", "deleted", "reactions"),
    }
    assert first["room"] == "lobby" and first["user"] == "alice"
    assert (first["edited_at"], first["deleted"], first["reactions"]) == (None, False, [])


def test_before_pages_backwards(api, chatter):
    body = page(api, f"?before={chatter[5]}&limit=3").json()
    assert [m["id"] for m in body["results"]] == chatter[2:5]
    assert body["has_more"] is True
    rest = page(api, f"?before={chatter[2]}&limit=3").json()
    assert [m["id"] for m in rest["results"]] == chatter[:2]
    assert rest["has_more"] is False


def test_after_pages_forwards(api, chatter):
    body = page(api, f"?after={chatter[3]}&limit=4").json()
    assert [m["id"] for m in body["results"]] == chatter[4:8]
    assert body["has_more"] is True
    tail = page(api, f"?after={chatter[7]}").json()
    assert [m["id"] for m in tail["results"]] == chatter[8:]
    assert tail["has_more"] is False


def test_after_and_before_bound_a_range(api, chatter):
    body = page(api, f"?after={chatter[1]}&before={chatter[5]}").json()
    assert [m["id"] for m in body["results"]] == chatter[2:5]
    assert body["has_more"] is False


def test_the_default_limit_is_50(api, lobby, alice):
    for _ in range(60):
        post(lobby, alice, "x")
    body = page(api).json()
    assert len(body["results"]) == 50
    assert body["has_more"] is True


@pytest.mark.parametrize(
    "query",
    [
        *("?limit=0", "?limit=101", "?limit=x", "?before=abc", "?after=-1", "?after=1.5"),
        # Past the largest id the database holds: once a 500, as the query overflowed.
        *(f"?after={2**63}", f"?before={2**64}"),
    ],
)
def test_it_rejects_bad_paging_parameters(api, lobby, query):
    response = page(api, query)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_history_of_an_admin_only_room_is_for_staff(api, staff_room, alice, sam):
    assert page(api, room="staff").status_code == 403
    assert api(alice).get("/api/rooms/staff/messages/").status_code == 403
    assert api(sam).get("/api/rooms/staff/messages/").status_code == 200


def test_history_of_an_unknown_room_is_404(api, db):
    response = page(api, room="nowhere")
    assert response.status_code == 404
    assert response.json()["code"] == "room_not_found"


def test_message_text_is_returned_verbatim(api, lobby, alice):
    post(lobby, alice, "<script>alert(1)</script>")
    assert page(api).json()["results"][0]["message"] == "<script>alert(1)</script>"
