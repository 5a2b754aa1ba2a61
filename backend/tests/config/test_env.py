import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_rate
from tests.config.variables import CONFIG_DIR, backend_variables


def test_booleans_accept_the_usual_spellings(monkeypatch):
    monkeypatch.setenv("FLAG", "yes")
    assert env_bool("FLAG", False) is True
    monkeypatch.setenv("FLAG", "0")
    assert env_bool("FLAG", True) is False


def test_a_bad_boolean_stops_start_up(monkeypatch):
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG"):
        env_bool("FLAG", False)


def test_numbers_are_checked(monkeypatch):
    monkeypatch.setenv("SIZE", "ten")
    with pytest.raises(ImproperlyConfigured):
        env_int("SIZE", 1)
    monkeypatch.setenv("SIZE", "-3")
    with pytest.raises(ImproperlyConfigured):
        env_int("SIZE", 1, minimum=0)


def test_lists_split_on_commas(monkeypatch):
    monkeypatch.setenv("HOSTS", " a.example, b.example ,,")
    assert env_list("HOSTS") == ["a.example", "b.example"]


def test_rates_must_look_like_drf_rates(monkeypatch):
    monkeypatch.setenv("RATE", "lots")
    with pytest.raises(ImproperlyConfigured):
        env_rate("RATE", "10/min")


def test_production_refuses_to_start_without_a_secret_key():
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={"DEBUG": "false", "DJANGO_SETTINGS_MODULE": "config.settings", "PATH": "/usr/bin"},
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(("proxy_headers", "trusted"), [("false", "None"), ("true", "https")])
def test_x_forwarded_proto_is_trusted_only_behind_a_proxy(proxy_headers, trusted):
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings;"
            " print(settings.SECURE_PROXY_SSL_HEADER)",
        ],
        env={
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "PATH": "/usr/bin",
            "PROXY_HEADERS": proxy_headers,
        },
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert trusted in result.stdout, result.stderr


def test_an_empty_value_counts_as_unset(monkeypatch):
    monkeypatch.setenv("HOSTS", "")
    assert env_list("HOSTS", "localhost") == ["localhost"]
    monkeypatch.setenv("RATE", "")
    assert env_rate("RATE", "10/min") == "10/min"


def test_every_variable_the_backend_reads_is_documented_in_env_example():
    read = set(backend_variables())
    example = (CONFIG_DIR.parents[1] / ".env.example").read_text()
    documented = set(re.findall(r"^([A-Z_]+)=", example, re.MULTILINE))
    assert len(read) > 20
    assert read <= documented, sorted(read - documented)
