"""The socket's credentials check (accounts/websocket.py)."""

import time

import pytest
from rest_framework_simplejwt.tokens import AccessToken

from accounts.tickets import ws_ticket_issue
from accounts.websocket import (
    Claim,
    Credentials,
    bearer_identity,
    claimed_identity,
    credentials_claim,
)
from chat.errors import BadCredentials
from chat.rows import fetch_each
from tests.conftest import PASSWORD


def test_a_bearer_socket_keeps_no_copy_of_the_password_hash(alice):
    identity = bearer_identity(str(AccessToken.for_user(alice)))
    assert identity.user.pk == alice.pk
    assert identity.user.username == "alice"
    # Read for the revocation check, then deferred again: read again only if asked for.
    assert "password" not in identity.user.__dict__
    assert identity.user.check_password(PASSWORD)


def test_a_token_from_before_a_password_change_is_still_refused(alice):
    token = str(AccessToken.for_user(alice))
    alice.set_password("a new password entirely")
    alice.save()
    with pytest.raises(BadCredentials):
        bearer_identity(token)


def identity_of(credentials: Credentials):
    claim = credentials_claim(credentials)
    return claimed_identity(claim, fetch_each(claim.user_read())[0])


def test_a_bearer_claim_is_read_from_the_token_alone(alice, django_assert_num_queries):
    token = AccessToken.for_user(alice)
    with django_assert_num_queries(0):
        claim = credentials_claim(Credentials("bearer", str(token)))
    assert (str(claim.user_id), claim.expires_at) == (str(alice.pk), token["exp"])


def test_a_ticket_of_a_user_deactivated_since_is_refused(alice):
    ticket, _ = ws_ticket_issue(user=alice, credential_expires_at=int(time.time()) + 60)
    alice.is_active = False
    alice.save()
    with pytest.raises(BadCredentials, match="ticket"):
        identity_of(Credentials("ticket", ticket))


def test_a_token_of_a_deactivated_user_is_refused(alice):
    token = str(AccessToken.for_user(alice))
    alice.is_active = False
    alice.save()
    with pytest.raises(BadCredentials, match="access token"):
        identity_of(Credentials("bearer", token))


@pytest.mark.django_db
def test_no_credentials_are_anonymous_without_a_read(django_assert_num_queries):
    with django_assert_num_queries(0):
        identity = identity_of(Credentials())
    assert not identity.user.is_authenticated and identity.expires_at is None
    assert Claim().user_read() is None
