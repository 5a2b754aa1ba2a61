import socket
import time
from unittest import mock

import pytest
from django.db import connection
from django.test import override_settings

from config import health


@pytest.fixture
def silent_server():
    """An address that takes TCP connections and never answers on them: the kernel completes
    the handshakes into the listen queue, and nothing ever accepts, reads or writes."""
    with socket.create_server(("127.0.0.1", 0), backlog=1) as server:
        yield server.getsockname()


def timed_get(client, path: str):
    started = time.monotonic()
    response = client.get(path)
    return response, time.monotonic() - started


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
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["channel_layer"] == "error"
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_readyz_answers_within_its_budget_when_redis_hangs(client, silent_server):
    host, port = silent_server
    with override_settings(REDIS_URL=f"redis://{host}:{port}/0"):
        response, elapsed = timed_get(client, "/readyz")
    assert elapsed < health.BUDGET
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "channel_layer": "error"}


@pytest.mark.django_db
def test_probes_of_a_hung_redis_do_not_starve_the_database_check(client, silent_server):
    # Each hung ping used to keep one of the two service threads for its 20 s of retries: from
    # the third probe on the database check found none free and failed too, and so did every
    # socket's database call.
    host, port = silent_server
    with override_settings(REDIS_URL=f"redis://{host}:{port}/0"):
        for _ in range(3):
            response, elapsed = timed_get(client, "/readyz")
            assert elapsed < health.BUDGET
            assert response.json()["database"] == "ok"


@pytest.mark.services
@pytest.mark.django_db
def test_readyz_answers_within_its_budget_when_postgresql_hangs(client, silent_server):
    host, port = silent_server
    # Only connections opened from now on go to the silent address; the test's own stays open.
    with mock.patch.dict(connection.settings_dict, HOST=host, PORT=str(port)):
        response, elapsed = timed_get(client, "/readyz")
    assert elapsed < health.BUDGET
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error", "channel_layer": "ok"}


def test_the_openapi_schema_and_docs_are_served(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/rooms/{name}/messages/" in schema.content
    assert client.get("/api/docs/").status_code == 200
