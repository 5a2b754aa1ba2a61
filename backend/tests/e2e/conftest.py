import pytest

from tests.e2e.servers import Server, scratch_database


@pytest.fixture
def database(tmp_path):
    with scratch_database(tmp_path) as url:
        yield url


@pytest.fixture
def start_server(database):
    """start_server(**env) runs a daphne process on the shared scratch database."""
    started = []

    def start(**env: str) -> Server:
        server = Server(database, **env)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
