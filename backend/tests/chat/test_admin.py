import pytest
from django.contrib.auth import get_user_model

from tests.conftest import post, write

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    admin = get_user_model().objects.create_superuser("root", password="correct horse 42")
    client.force_login(admin)
    return client


def test_the_admin_lists_rooms_and_messages(admin_client, lobby, alice, bob):
    post(lobby, alice, "visible in the admin")
    write(alice, bob, "also here")
    assert b"lobby" in admin_client.get("/admin/chat/room/").content
    assert b"visible in the admin" in admin_client.get("/admin/chat/message/").content
    assert b"also here" in admin_client.get("/admin/chat/directmessage/").content
