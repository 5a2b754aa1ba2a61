"""The production topology, proven through nginx: two workers, one room, crashes and restarts.

Personas (fresh usernames per test): alice and bob chat from different workers; carol is a user
whose client does not come back after her worker dies, so presence has to drop her by itself.
The tests run in file order; the ones that stop a worker restart it before they end.
"""

import time

import pytest
from chat_client import online, request, room_messages
from cluster import PRESENCE_SWEEP_INTERVAL, PRESENCE_TTL, wait_for
from placement import open_on, open_tab

# docs/protocol.md: a dead worker's users leave within PRESENCE_TTL plus one sweep. The slack
# covers the sweep's own timer and the load of a 2-core machine.
LEAVE_DEADLINE = PRESENCE_TTL + PRESENCE_SWEEP_INTERVAL + 4


def log_lines_for(cluster, path_prefix: str) -> list[str]:
    # nginx writes a line when a request ends, which for a socket is when it closes.
    return [line for line in cluster.access_log.read_text().splitlines() if path_prefix in line]


def test_nginx_serves_the_spa_and_client_side_routes_itself(cluster):
    index = request(cluster.base_url, "GET", "/")
    assert index.status == 200
    assert b"data-topology-stand-in" in index.body
    assert "default-src 'self'" in index.headers["Content-Security-Policy"]
    assert index.headers["X-Content-Type-Options"] == "nosniff"
    assert index.headers["Cache-Control"] == "no-cache"

    deep_link = request(cluster.base_url, "GET", "/rooms/lobby")
    assert deep_link.status == 200 and deep_link.body == index.body

    bundle = request(cluster.base_url, "GET", "/assets/app-3f2a1b.js")
    assert bundle.status == 200
    assert "immutable" in bundle.headers["Cache-Control"]
    assert bundle.headers["X-Content-Type-Options"] == "nosniff"
    assert request(cluster.base_url, "GET", "/assets/missing.js").status == 404

    assert all("upstream=- " in line for line in log_lines_for(cluster, '"GET /assets/'))


def test_nginx_serves_collected_static_files_without_the_backend(cluster):
    stylesheet = request(cluster.base_url, "GET", "/static/admin/css/base.css")
    assert stylesheet.status == 200
    assert stylesheet.headers["Content-Type"] == "text/css"
    assert "max-age=604800" in stylesheet.headers["Cache-Control"]
    lines = log_lines_for(cluster, '"GET /static/admin/css/base.css')
    assert lines and all("upstream=- " in line for line in lines)


def test_api_admin_and_probes_are_proxied_to_the_workers(cluster):
    assert request(cluster.base_url, "GET", "/healthz").json() == {"status": "ok"}
    ready = request(cluster.base_url, "GET", "/readyz")
    assert ready.status == 200 and ready.json()["channel_layer"] == "ok"
    assert request(cluster.base_url, "GET", "/api/rooms/").status == 200
    admin = request(cluster.base_url, "GET", "/admin/login/")
    assert admin.status == 200
    # Django sets these too; nginx keeps one copy of each.
    for header in ("X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy"):
        assert admin.count(header) == 1, header
    ports = {str(worker.port) for worker in cluster.workers}
    api_lines = log_lines_for(cluster, '"GET /api/rooms/ ')
    assert any(f"127.0.0.1:{port}" in api_lines[-1] for port in ports)


def test_request_bodies_over_the_cap_are_refused_by_nginx(cluster):
    too_big = request(cluster.base_url, "POST", "/api/auth/register/", raw=b"x" * (300 * 1024))
    assert too_big.status == 413
    assert too_big.json()["code"] == "too_long"


def test_login_and_sign_up_are_rate_limited_per_client_address(cluster):
    # From addresses of their own (127.0.0.0/8 is all loopback), so the limit's buckets are not
    # shared with the other tests' sign-ups from 127.0.0.1. An empty sign-up is refused by
    # Django at once (400) and hashes no password, so the burst goes out in well under a second
    # and the bucket's refill (one every 2 s) does not blur the count.
    statuses = [
        request(cluster.base_url, "POST", "/api/auth/register/", {}, source="127.0.0.5").status
        for _ in range(30)
    ]
    # nginx.conf: rate=30r/m burst=20 nodelay, so 21 get through and the rest are refused.
    assert statuses[:20] == [400] * 20, statuses
    assert statuses.count(429) >= 8, statuses
    wrong = {"username": "nobody", "password": "wrong password"}
    limited = request(cluster.base_url, "POST", "/api/auth/token/", wrong, source="127.0.0.5")
    assert limited.status == 429, "login and sign-up share one budget"
    assert limited.json()["code"] == "rate_limited"
    assert "Retry-After" in limited.headers
    lines = log_lines_for(cluster, '"POST /api/auth/register/ ')
    assert any(" 429 " in line and "upstream=- " in line for line in lines), "refused by nginx"
    # Another address has its own budget.
    other = request(cluster.base_url, "POST", "/api/auth/token/", wrong, source="127.0.0.6")
    assert other.status == 401


def test_users_on_different_workers_chat_in_one_room_and_exchange_private_messages(
    cluster, people, room, tabs
):
    alice, bob = people("alice", "bob")
    alice.create_room(room)
    worker_a, worker_b = cluster.workers
    alice_tab = open_on(cluster, worker_a, alice, room, tabs)
    bob_tab = open_on(cluster, worker_b, bob, room, tabs)
    alice_tab.expect("user_join", user=bob.username)

    alice_tab.say("hello from worker a", client_id="a-1")
    sent = alice_tab.expect("chat_message", client_id="a-1")
    received = bob_tab.expect("chat_message", message="hello from worker a")
    assert received["id"] == sent["id"] and received["user"] == alice.username

    bob_tab.say("hello from worker b")
    assert alice_tab.expect("chat_message", message="hello from worker b")["user"] == bob.username

    alice_tab.whisper(bob.username, "psst, bob")
    delivered = alice_tab.expect("private_message_delivered", target=bob.username)
    whispered = bob_tab.expect("private_message", message="psst, bob")
    assert whispered["id"] == delivered["id"] and whispered["user"] == alice.username

    bob_tab.say(f"/pm {alice.username} psst, alice")
    assert alice_tab.expect("private_message", message="psst, alice")["user"] == bob.username
    # A private message never reaches the room.
    assert bob_tab.quiet("chat_message", 0.5, message="psst, bob")


def test_presence_is_one_entry_per_user_across_workers(cluster, people, room, tabs):
    alice, bob = people("alice", "bob")
    alice.create_room(room)
    worker_a, worker_b = cluster.workers
    alice_tab = open_on(cluster, worker_a, alice, room, tabs)

    # Join: bob's first tab, on the other worker, is announced to alice.
    bob_first = open_on(cluster, worker_b, bob, room, tabs)
    alice_tab.expect("user_join", user=bob.username)
    assert alice.username in bob_first.frames[0]["users"]
    assert online(alice, room) == sorted([alice.username, bob.username])

    # Second tab, on alice's worker: bob is still one user, and nobody is told he joined.
    bob_second = open_on(cluster, worker_a, bob, room, tabs)
    assert bob_second.frames[0]["users"].count(bob.username) == 1
    assert alice_tab.quiet("user_join", 1.0, user=bob.username)
    assert online(alice, room) == sorted([alice.username, bob.username])

    # Closing one tab is not leaving.
    bob_first.close()
    assert alice_tab.quiet("user_leave", 1.0, user=bob.username)
    assert online(alice, room) == sorted([alice.username, bob.username])

    # Closing the last one is.
    bob_second.close()
    alice_tab.expect("user_leave", user=bob.username)
    assert online(alice, room) == [alice.username]


def test_a_worker_stopped_with_sigterm_closes_with_1012_and_its_clients_resume_elsewhere(
    cluster, people, room, tabs
):
    alice, bob = people("alice", "bob")
    alice.create_room(room)
    leaving, staying = cluster.workers
    alice_tab = open_on(cluster, leaving, alice, room, tabs)
    bob_tab = open_on(cluster, staying, bob, room, tabs)
    alice_tab.say("before the restart", client_id="before")
    last_seen = alice_tab.expect("chat_message", client_id="before")["id"]

    try:
        started = time.monotonic()
        leaving.process.terminate()
        # The close frame crosses nginx untouched, so the client knows to reconnect.
        assert alice_tab.wait_closed(timeout=5) == 1012
        closed_after = time.monotonic() - started
        assert leaving.process.wait(timeout=10) == 0

        bob_tab.say("while alice reconnects", client_id="meanwhile")
        bob_tab.expect("chat_message", client_id="meanwhile")
        resumed, served_by = open_tab(cluster, alice, room, after=last_seen)
        tabs.append(resumed)
        assert served_by is staying
        history = resumed.frames[1]["messages"]
        assert [m["message"] for m in history] == ["while alice reconnects"]
        assert closed_after < 2
    finally:
        cluster.restart(leaving)


def test_a_killed_worker_s_clients_reconnect_elsewhere_and_miss_no_stored_message(
    cluster, people, room, tabs
):
    alice, bob, carol = people("alice", "bob", "carol")
    alice.create_room(room)
    doomed, survivor = cluster.workers
    alice_tab = open_on(cluster, doomed, alice, room, tabs)
    bob_tab = open_on(cluster, survivor, bob, room, tabs)
    carol_tab = open_on(cluster, doomed, carol, room, tabs)
    wait_for(lambda: len(online(bob, room)) == 3, 5, "all three online")
    # Placement retries may have made carol join and leave before; only what follows counts.
    bob_tab.skip_all()

    alice_tab.say("seen before the crash", client_id="seen")
    last_seen = alice_tab.expect("chat_message", client_id="seen")["id"]
    # Sent right before the crash: alice cannot know whether it was stored, so she resends it
    # with the same client_id after reconnecting (docs/protocol.md, client_id).
    alice_tab.say("maybe lost in the crash", client_id="in-flight")

    try:
        killed_at = time.monotonic()
        doomed.kill()
        # No close frame from a dead process: nginx just drops the client connection.
        assert alice_tab.wait_closed(timeout=5) is None
        assert carol_tab.wait_closed(timeout=5) is None

        bob_tab.say("sent while alice was away 1")
        bob_tab.say("sent while alice was away 2")
        bob_tab.expect("chat_message", message="sent while alice was away 2")

        resumed, served_by = open_tab(cluster, alice, room, after=last_seen)
        tabs.append(resumed)
        assert served_by is survivor
        resumed.say("maybe lost in the crash", client_id="in-flight")
        resumed.expect("chat_message", client_id="in-flight")
        resumed.say("back again", client_id="back")
        resumed.expect("chat_message", client_id="back")

        # Every stored message exactly once, and alice has seen all of them.
        stored = room_messages(alice, room)
        texts = [m["message"] for m in stored]
        assert sorted(texts) == sorted(
            [
                "seen before the crash",
                "maybe lost in the crash",
                "sent while alice was away 1",
                "sent while alice was away 2",
                "back again",
            ]
        )
        seen = set(alice_tab.room_ids()) | set(resumed.room_ids())
        assert {m["id"] for m in stored} <= seen

        # carol never came back: presence drops her within the stated time; alice, whose old
        # socket died with the worker too, stays listed through her new one.
        bob_tab.expect("user_leave", timeout=LEAVE_DEADLINE, user=carol.username)
        left_after = time.monotonic() - killed_at
        assert left_after <= LEAVE_DEADLINE
        assert online(bob, room) == sorted([alice.username, bob.username])
        assert bob_tab.quiet("user_leave", PRESENCE_SWEEP_INTERVAL, user=alice.username)
    finally:
        cluster.restart(doomed)


def test_the_access_log_holds_no_ticket_or_token(cluster, people, room, tabs):
    (alice,) = people("alice")
    alice.create_room(room)
    tab, _ = open_tab(cluster, alice, room, after=0)
    tabs.append(tab)
    tab.close()
    request(cluster.base_url, "GET", "/api/rooms/?token=not-a-real-token-but-looks-like-one")
    request(cluster.base_url, "GET", "/?Ticket=shouting-ticket&page=2")
    # nginx writes the socket's line when it closes.
    wait_for(lambda: log_lines_for(cluster, f'"GET /ws/chat/{room}/'), 5, "the socket's log line")

    log = cluster.access_log.read_text()
    assert cluster.secrets_issued, "the run issued no ticket or token to look for"
    leaked = [secret for secret in cluster.secrets_issued if secret in log]
    assert leaked == []
    for needle in ("ticket=", "token=", "not-a-real-token", "shouting-ticket"):
        assert needle not in log.lower()
    assert f'"GET /ws/chat/{room}/?[redacted] ' in log


@pytest.fixture(autouse=True)
def both_workers_up(cluster):
    """Each test starts with both workers serving, whatever the one before it did."""
    for worker in cluster.workers:
        if not worker.alive:
            cluster.restart(worker)
