"""The REST contract: schemathesis, against the schema a real server serves (/api/schema/),
checks that every answer (status, content type, headers, body) is one the schema describes.

It runs schemathesis' own engine (`schemathesis run`) rather than its pytest loader, which
fails on pytest 9.2 (it reads a Node attribute pytest removed) and whose stateful runs, against
a server that keeps its state, trip Hypothesis' flakiness check. The engine's stateful phase,
chains of linked calls (list the rooms, then page one's history), is what found the one 5xx.
alice and bob log in through the API itself, so every operation is tried with a token and
without one. The pass is bounded and repeatable: a fixed seed, 25 cases an operation in each
phase, one worker; about 30 seconds, plus the server's start.
"""

import json
import subprocess
import sys

import pytest

from tests.conftest import PASSWORD
from tests.e2e.servers import Server, scratch_database

# Seed, size and checks of the pass; {auth_file} is filled in by the test.
CONFIG = """
seed = 20261201
workers = 1
generation.max-examples = 25
# Nothing kept between runs: the same cases every time.
generation.database = "none"
checks.enabled = false
checks.not_a_server_error.enabled = true
checks.status_code_conformance.enabled = true
checks.content_type_conformance.enabled = true
checks.response_schema_conformance.enabled = true
checks.response_headers_conformance.enabled = true
auth.wfc.path = "{auth_file}"
# alice, the first persona, and bob may talk: a made-up name would only ever find a 404.
parameters."path.username" = "bob"
"""
PERSONAS = ("alice", "bob")
# High enough never to answer 429 mid-run; the schema documents 429 all the same.
UNLIMITED = {"LOGIN_RATE": "10000/s", "API_RATE": "10000/s", "LOGIN_FAILURE_LIMIT": "1000000"}


@pytest.fixture
def server(tmp_path):
    with scratch_database(tmp_path) as database_url:
        served = Server(database_url, tmp_path, **UNLIMITED)
        try:
            for name in PERSONAS:
                served.post("/api/auth/register/", {"username": name, "password": PASSWORD})
            yield served
        finally:
            served.stop()


def login_as(name: str) -> dict:
    """A Web Fuzzing Commons user who logs in with POST /api/auth/token/ and sends the access
    token it gets as a bearer token."""
    return {
        "name": name,
        "loginEndpointAuth": {
            "endpoint": "/api/auth/token/",
            "verb": "POST",
            "contentType": "application/json",
            "payloadUserPwd": {
                "username": name,
                "password": PASSWORD,
                "usernameField": "username",
                "passwordField": "password",
            },
            "token": {
                "extractFrom": "body",
                "extractSelector": "/access",
                "sendIn": "header",
                "sendName": "Authorization",
                "sendTemplate": "Bearer {token}",
            },
        },
    }


def test_every_answer_of_the_api_is_one_its_schema_describes(server, tmp_path):
    auth_file = tmp_path / "auth.json"
    auth_file.write_text(json.dumps({"auth": [login_as(name) for name in PERSONAS]}))
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG.format(auth_file=auth_file))
    command = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run"]
    command += ["--no-color", f"{server.base}/api/schema/"]
    # In tmp_path, where schemathesis keeps its caches.
    run = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=150)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Stateful" in run.stdout, "the stateful phase did not run"
    assert server.tracebacks() == 0, server.log_tail()
