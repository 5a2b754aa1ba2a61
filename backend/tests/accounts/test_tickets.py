import time

import pytest

from accounts.tickets import ws_ticket_issue, ws_ticket_redeem

pytestmark = pytest.mark.django_db

_IN_A_MINUTE = int(time.time()) + 60


def test_the_endpoint_issues_a_short_lived_ticket(api, alice):
    response = api(alice).post("/api/auth/ws-ticket/")
    assert response.status_code == 200
    body = response.json()
    assert body["expires_in"] == 30
    assert len(body["ticket"]) >= 32


def test_a_ticket_is_worth_no_more_than_the_token_that_asked_for_it(api, alice):
    body = api(alice).post("/api/auth/ws-ticket/").json()
    _, expires_at = ws_ticket_redeem(body["ticket"])
    assert time.time() < expires_at <= time.time() + 300  # the access token's exp


def test_the_endpoint_needs_a_token(api):
    assert api().post("/api/auth/ws-ticket/").status_code == 401


def test_a_ticket_works_exactly_once(alice):
    ticket, _ = ws_ticket_issue(user=alice, credential_expires_at=_IN_A_MINUTE)
    assert ws_ticket_redeem(ticket) == (alice.pk, _IN_A_MINUTE)
    assert ws_ticket_redeem(ticket) is None


def test_an_unknown_ticket_is_refused(alice):
    assert ws_ticket_redeem("made-up") is None


def test_an_expired_ticket_is_refused(alice, settings):
    settings.CHAT = {**settings.CHAT, "WS_TICKET_LIFETIME": 1}
    ticket, lifetime = ws_ticket_issue(user=alice, credential_expires_at=_IN_A_MINUTE)
    assert lifetime == 1
    time.sleep(1.2)
    assert ws_ticket_redeem(ticket) is None
