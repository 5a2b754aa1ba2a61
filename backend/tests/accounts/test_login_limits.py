"""Login and sign-up limits (accounts/login_limits.py), with the real cache: Redis when
REDIS_URL is set, locmem otherwise. mallory guesses alice's password; bob is a bystander whose
logins must not suffer for it."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
from django.contrib.auth.backends import ModelBackend

from accounts import login_limits
from tests.conftest import PASSWORD

LIMIT = 5
RATE = 10


@pytest.fixture(autouse=True)
def limits(settings):
    # Pinned here, so a developer's environment cannot change what these tests mean.
    settings.LOGIN_RATE = f"{RATE}/min"
    settings.LOGIN_FAILURE_LIMIT = LIMIT
    settings.LOGIN_LOCKOUT = 900


@pytest.fixture(autouse=True)
def stopped_clock(monkeypatch):
    # The address windows are fixed (one a minute) and a test takes seconds: with the clock
    # running it could straddle two windows, and see twice the limit. The cache's expiries
    # still run on real time.
    monkeypatch.setattr(login_limits, "time", SimpleNamespace(time=lambda: 1_800_000_030.0))


@pytest.fixture
def evaluated(monkeypatch):
    """How many logins got as far as a password check (one authenticate() each)."""
    calls = []
    original = ModelBackend.authenticate

    def counted(self, request, username=None, password=None, **kwargs):
        calls.append(username)
        return original(self, request, username=username, password=password, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", counted)
    return calls


def login(api, username="alice", password="wrong", address="10.0.0.1", **headers):
    body = {"username": username, "password": password}
    return api().post("/api/auth/token/", body, format="json", REMOTE_ADDR=address, **headers)


def register(api, address="10.0.0.1"):
    # An empty sign-up is refused at once (400) and hashes no password: a cheap attempt.
    return api().post("/api/auth/register/", {}, format="json", REMOTE_ADDR=address)


def all_at_once(api, attempts: list[dict]) -> list[int]:
    """The statuses of these logins, sent from as many threads released together."""
    start = threading.Barrier(len(attempts))

    def attempt(kwargs: dict) -> int:
        start.wait()
        return login(api, **kwargs).status_code

    with ThreadPoolExecutor(len(attempts)) as pool:
        return list(pool.map(attempt, attempts))


def assert_rate_limited(response, *, at_most: int) -> None:
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert 1 <= int(response.headers["Retry-After"]) <= at_most


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("attempts", "limit"),
    [
        pytest.param([{}] * 30, LIMIT, id="one-user-one-address"),
        pytest.param([{"address": f"10.0.1.{n}"} for n in range(30)], LIMIT, id="one-user"),
        pytest.param([{"username": f"user{n}"} for n in range(30)], RATE, id="one-address"),
    ],
)
def test_of_thirty_parallel_wrong_logins_only_the_limit_are_evaluated(
    api, alice, evaluated, attempts, limit
):
    # DRF's throttle read the count, checked the password, then wrote: all 30 got through.
    statuses = all_at_once(api, attempts)
    assert len(evaluated) == limit
    assert sorted(statuses) == [401] * limit + [429] * (30 - limit)


def test_a_username_is_locked_after_the_failure_limit_from_any_address(api, alice, bob):
    for n in range(LIMIT):
        assert login(api, address=f"10.0.2.{n}").status_code == 401
    # Even the right password, from an address never seen before.
    locked = login(api, password=PASSWORD, address="10.0.3.1")
    assert_rate_limited(locked, at_most=900)
    assert int(locked.headers["Retry-After"]) > 890
    assert login(api, username="bob", password=PASSWORD, address="10.0.2.0").status_code == 200


def test_the_lock_checks_no_password(api, alice, evaluated):
    for n in range(LIMIT):
        login(api, address=f"10.0.2.{n}")
    login(api, password=PASSWORD, address="10.0.3.1")
    assert len(evaluated) == LIMIT


def test_spelling_the_username_with_spaces_does_not_dodge_the_lock(api, alice):
    # The login serializer trims the username before authenticating: " alice " is alice.
    for n in range(LIMIT):
        assert login(api, username=" " * n + "alice", address=f"10.0.2.{n}").status_code == 401
    assert_rate_limited(login(api, password=PASSWORD, address="10.0.3.1"), at_most=900)


def test_the_lock_ends_after_the_lockout(api, alice, settings):
    settings.LOGIN_FAILURE_LIMIT = 1
    settings.LOGIN_LOCKOUT = 2
    assert login(api).status_code == 401
    locked = login(api, password=PASSWORD)
    assert_rate_limited(locked, at_most=2)
    time.sleep(2.2)
    assert login(api, password=PASSWORD).status_code == 200


def test_a_successful_login_resets_the_failure_count(api, alice):
    for n in range(LIMIT - 1):
        assert login(api, address=f"10.0.2.{n}").status_code == 401
    assert login(api, password=PASSWORD, address="10.0.3.1").status_code == 200
    for n in range(LIMIT - 1):
        assert login(api, address=f"10.0.4.{n}").status_code == 401
    assert login(api, password=PASSWORD, address="10.0.3.2").status_code == 200


def test_login_is_limited_per_address(api, alice):
    # A new username each time, so that the username lock stays out of it.
    statuses = [login(api, username=f"user{n}").status_code for n in range(RATE)]
    assert statuses == [401] * RATE
    assert_rate_limited(login(api, password=PASSWORD), at_most=60)
    assert login(api, password=PASSWORD, address="10.0.0.2").status_code == 200


def test_sign_up_is_limited_per_address(api):
    assert [register(api).status_code for _ in range(RATE)] == [400] * RATE
    assert_rate_limited(register(api), at_most=60)
    assert register(api, address="10.0.0.2").status_code == 400


def test_login_and_sign_up_share_one_budget_per_address(api, alice):
    for _ in range(RATE):
        register(api)
    assert_rate_limited(login(api, password=PASSWORD), at_most=60)


def test_a_client_sent_forwarded_for_does_not_dodge_the_address_limit(api, alice):
    statuses = [
        login(api, username=f"user{n}", HTTP_X_FORWARDED_FOR=f"10.9.0.{n}").status_code
        for n in range(RATE + 1)
    ]
    assert statuses[-1] == 429
