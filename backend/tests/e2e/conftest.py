import pytest

from tests.e2e.servers import Server, scratch_database


@pytest.fixture
def database(tmp_path):
    with scratch_database(tmp_path) as url:
        yield url


@pytest.fixture
def start_server(database, tmp_path):
    """start_server(**env) runs a server process on the shared scratch database."""
    started = []

    def start(**env: str) -> Server:
        server = Server(database, tmp_path, **env)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
        # pytest shows this only for a failed test: the servers' side of the story.
        print(f"--- server on port {server.port} ---\n{server.log_tail()}")
