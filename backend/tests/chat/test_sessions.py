"""What a socket's open reads, apart from presence (tests/chat/test_presence.py)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from chat.sessions import snapshot_positions
from tests.conftest import post, write

pytestmark = pytest.mark.django_db


def test_the_snapshot_reads_the_rooms_and_the_users_positions(alice, bob, lobby):
    post(lobby, bob, "one")
    post(lobby, bob, "two")
    write(bob, alice, "a private one")
    assert snapshot_positions(room=lobby, user=alice) == (2, 1)


def test_a_user_who_never_got_a_private_message_and_an_anonymous_socket_are_at_zero(alice, lobby):
    post(lobby, alice, "one")
    assert snapshot_positions(room=lobby, user=alice) == (1, 0)
    assert snapshot_positions(room=lobby, user=AnonymousUser()) == (1, 0)
