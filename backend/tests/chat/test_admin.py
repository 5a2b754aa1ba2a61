import pytest
from django.contrib.auth import get_user_model

from chat.models import DirectMessage, RoomChange
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


def test_deleting_a_message_in_the_admin_leaves_a_tombstone_the_room_hears_of(
    admin_client, lobby, alice
):
    message = post(lobby, alice, "rude")
    answer = admin_client.post(
        f"/admin/chat/message/{message.pk}/delete/", {"post": "yes"}, follow=True
    )
    assert answer.status_code == 200
    message.refresh_from_db()
    assert (message.content, message.deleted_at is not None) == ("", True)
    assert RoomChange.objects.filter(message=message).exists()


def test_the_admin_cannot_rewrite_or_delete_a_private_message(admin_client, alice, bob):
    message = write(alice, bob, "private")
    page = admin_client.get(f"/admin/chat/directmessage/{message.pk}/change/")
    assert page.status_code == 200
    assert b'name="content"' not in page.content
    assert admin_client.post(f"/admin/chat/directmessage/{message.pk}/delete/").status_code == 403
    assert DirectMessage.objects.filter(pk=message.pk, content="private").exists()
