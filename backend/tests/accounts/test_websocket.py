"""The socket's credentials check (accounts/websocket.py)."""

import pytest
from rest_framework_simplejwt.tokens import AccessToken

from accounts.websocket import bearer_identity
from chat.errors import BadCredentials
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
