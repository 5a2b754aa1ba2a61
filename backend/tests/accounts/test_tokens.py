import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def login(api, username="alice", password=PASSWORD):
    return api().post(
        "/api/auth/token/", {"username": username, "password": password}, format="json"
    )


def test_login_returns_an_access_and_a_refresh_token(api, alice):
    response = login(api)
    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}


def test_login_with_a_wrong_password_is_401(api, alice):
    response = login(api, password="wrong")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_refresh_rotates_and_retires_the_old_refresh_token(api, alice):
    old = login(api).json()["refresh"]
    response = api().post("/api/auth/token/refresh/", {"refresh": old}, format="json")
    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}
    assert response.json()["refresh"] != old
    again = api().post("/api/auth/token/refresh/", {"refresh": old}, format="json")
    assert again.status_code == 401
    assert again.json()["code"] == "token_not_valid"


def test_logout_blacklists_the_refresh_token(api, alice):
    refresh = login(api).json()["refresh"]
    response = api().post("/api/auth/logout/", {"refresh": refresh}, format="json")
    assert response.status_code == 205
    assert response.content == b""
    after = api().post("/api/auth/token/refresh/", {"refresh": refresh}, format="json")
    assert after.status_code == 401


def test_logout_with_a_bad_token_is_401(api):
    response = api().post("/api/auth/logout/", {"refresh": "junk"}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_me_describes_the_caller(api, alice, sam):
    assert api(alice).get("/api/auth/me/").json() == {
        "id": alice.id,
        "username": "alice",
        "is_staff": False,
    }
    assert api(sam).get("/api/auth/me/").json()["is_staff"] is True


def test_me_needs_a_token(api):
    response = api().get("/api/auth/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_garbage_bearer_token_is_401_token_not_valid(api):
    client = api()
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-jwt")
    response = client.get("/api/auth/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"
