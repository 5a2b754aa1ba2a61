def test_an_allowed_origin_may_call_the_api(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example"]
    response = client.options(
        "/api/rooms/",
        HTTP_ORIGIN="https://app.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization,content-type",
    )
    assert response.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert "authorization" in response.headers["Access-Control-Allow-Headers"]


def test_other_origins_get_no_cors_headers(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example"]
    response = client.get("/healthz", HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in response.headers
