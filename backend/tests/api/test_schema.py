import jsonschema
import pytest
from django.core.management import call_command


def test_the_openapi_schema_is_valid_and_generates_without_warnings(tmp_path):
    schema = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(schema))
    text = schema.read_text()
    for path in ("/api/dms/messages/", "/api/rooms/{name}/messages/", "/api/auth/ws-ticket/"):
        assert path in text


def served_schema(api) -> dict:
    return api().get("/api/schema/?format=json").json()


def test_every_operation_documents_its_429_and_retry_after(api):
    # The contract run raises the limits, so it never sees a 429: this checks they are written.
    for path, operations in served_schema(api)["paths"].items():
        for method, operation in operations.items():
            limited = operation["responses"].get("429")
            assert limited is not None, f"{method.upper()} {path} documents no 429"
            assert limited["headers"]["Retry-After"]["required"] is True


@pytest.mark.django_db
def test_a_real_429_is_what_the_schema_says(api, settings):
    # A username lock: unlike the per-address window, it cannot end between the two requests.
    settings.LOGIN_FAILURE_LIMIT = 1
    body = {"username": "mallory", "password": "guess"}
    api().post("/api/auth/token/", body, format="json")
    limited = api().post("/api/auth/token/", body, format="json")
    assert limited.status_code == 429
    error = served_schema(api)["components"]["schemas"]["Error"]
    jsonschema.validate(limited.json(), error)
    assert int(limited.headers["Retry-After"]) >= 1
