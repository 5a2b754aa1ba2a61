from django.conf import settings


def test_client_side_routes_get_the_web_clients_index(client, tmp_path, monkeypatch):
    (tmp_path / "index.html").write_text("<!doctype html><title>chat</title>")
    monkeypatch.setattr(settings, "FRONTEND_DIST", tmp_path)
    response = client.get("/rooms/lobby")
    assert response.status_code == 200
    assert b"<title>chat</title>" in b"".join(response.streaming_content)


def test_without_a_built_client_it_says_how_to_build_it(client, tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "FRONTEND_DIST", tmp_path / "missing")
    response = client.get("/rooms/lobby")
    assert response.status_code == 404
    assert "make run" in response.json()["detail"]
