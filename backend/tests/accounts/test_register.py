import pytest
from django.contrib.auth import get_user_model
from rest_framework.validators import UniqueValidator

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def register(api, **body):
    return api().post("/api/auth/register/", body, format="json")


def test_it_creates_an_account(api):
    response = register(api, username="carol", password=PASSWORD)
    assert response.status_code == 201
    assert response.json() == {"id": response.json()["id"], "username": "carol"}
    assert get_user_model().objects.get(username="carol").check_password(PASSWORD)


def test_it_rejects_a_taken_username(api, alice):
    response = register(api, username="alice", password=PASSWORD)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert "username" in body["errors"]


def test_it_rejects_a_password_the_validators_refuse(api):
    response = register(api, username="carol", password="12345678")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["errors"]["password"]


def test_it_rejects_missing_fields(api):
    response = register(api, username="carol")
    assert response.status_code == 400
    assert response.json()["errors"]["password"]


def test_it_rejects_an_invalid_username(api):
    response = register(api, username="no spaces please", password=PASSWORD)
    assert response.status_code == 400
    assert "username" in response.json()["errors"]


def test_it_answers_malformed_json_with_parse_error(api):
    response = api().post("/api/auth/register/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_losing_a_sign_up_race_is_a_field_error_like_any_taken_name(api, alice, monkeypatch):
    """Two sign-ups of one name can both pass validation; the database refuses the second."""
    # The other sign-up commits between our uniqueness check and our insert.
    monkeypatch.setattr(UniqueValidator, "__call__", lambda self, value, field: None)
    response = register(api, username="alice", password=PASSWORD)
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "detail": "username: A user with that username already exists.",
        "errors": {"username": ["A user with that username already exists."]},
    }
