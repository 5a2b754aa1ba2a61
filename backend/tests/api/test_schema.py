from django.core.management import call_command


def test_the_openapi_schema_is_valid_and_generates_without_warnings(tmp_path):
    schema = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(schema))
    text = schema.read_text()
    for path in ("/api/dms/messages/", "/api/rooms/{name}/messages/", "/api/auth/ws-ticket/"):
        assert path in text
