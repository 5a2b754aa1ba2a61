"""A password change voids every token issued before it, access and refresh alike."""

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def login(api) -> dict:
    return (
        api()
        .post("/api/auth/token/", {"username": "alice", "password": PASSWORD}, format="json")
        .json()
    )


def test_tokens_from_before_a_password_change_are_refused(api, alice):
    tokens = login(api)
    alice.set_password("an entirely new password")
    alice.save()
    me = api().get("/api/auth/me/", HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert me.status_code == 401
    refreshed = api().post(
        "/api/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json"
    )
    assert refreshed.status_code == 401
    assert refreshed.json()["code"] == "token_not_valid"


def test_tokens_still_refresh_without_a_password_change(api, alice):
    tokens = login(api)
    refreshed = api().post(
        "/api/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json"
    )
    assert refreshed.status_code == 200
    me = api().get("/api/auth/me/", HTTP_AUTHORIZATION=f"Bearer {refreshed.json()['access']}")
    assert me.status_code == 200
