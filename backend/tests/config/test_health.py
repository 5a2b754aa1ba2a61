import pytest
from django.test import override_settings

from chat.delivery.broker import broker, shared_redis


def test_healthz_answers_while_the_process_runs(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_checks_the_database_and_the_channel_layer(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "channel_layer": "ok"}


@pytest.mark.django_db
def test_readyz_is_503_when_redis_does_not_answer(client):
    # Nothing listens on port 1.
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):
        broker.cache_clear()
        shared_redis.cache_clear()
        response = client.get("/readyz")
    broker.cache_clear()
    shared_redis.cache_clear()
    assert response.status_code == 503
    assert response.json()["channel_layer"] == "error"
    assert response.json()["database"] == "ok"


def test_the_openapi_schema_and_docs_are_served(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/rooms/{name}/messages/" in schema.content
    assert client.get("/api/docs/").status_code == 200
