import pytest

from tests.e2e.servers import RedisProcess, Server, scratch_database


@pytest.fixture
def database(tmp_path):
    with scratch_database(tmp_path) as url:
        yield url


@pytest.fixture(params=["uvicorn", "daphne"])
def server_kind(request) -> str:
    """Both servers config.server can run: uvicorn (the default) and daphne."""
    return request.param


@pytest.fixture
def start_server(database, tmp_path, server_kind):
    """start_server(**env) runs a server process of ``server_kind`` on the scratch database."""
    started = []

    def start(**env: str) -> Server:
        server = Server(database, tmp_path, **{"ASGI_SERVER": server_kind, **env})
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
        # pytest shows this only for a failed test: the servers' side of the story.
        print(f"--- {server.kind} on port {server.port} ---\n{server.log_tail()}")
    for server in started:
        assert server.tracebacks() == 0, f"traceback in the log of {server.kind}:{server.port}"


@pytest.fixture
def private_redis(tmp_path):
    redis = RedisProcess(tmp_path)
    yield redis
    redis.stop()
