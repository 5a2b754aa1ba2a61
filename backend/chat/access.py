"""Changes of access that must reach open sockets: each is published once its write commits, on
the user's or the room's topic, and acted on by every process holding sockets for it
(chat/sockets.py). A Redis outage cannot make a socket outlive its access: losing the broker
closes every socket of the process (chat/delivery/hub.py), and reconnecting checks afresh.

The model signals below catch the changes wherever they are made (REST, Django admin, the
shell): a queryset ``update()`` sends no signals, so code here never changes access that way.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save

from chat.delivery.hub import publish_control, room_topic, user_topic
from chat.models import Room

# What a socket's access depends on; a save that touches none of them is not looked at.
_USER_FIELDS = ("is_active", "is_staff", "password")


def access_revoke(*, user_id: int, reason: str) -> None:
    """Closes every socket of the user, on every worker, with 4401 (logout, deactivation, a
    password change): the client reconnects with fresh credentials, or is logged out."""
    _on_commit(user_topic(user_id), {"revoked": reason})


def access_staff_changed(*, user_id: int, is_staff: bool) -> None:
    """Takes the user's sockets out of staff-only rooms (4403) if they are no longer staff."""
    _on_commit(user_topic(user_id), {"is_staff": is_staff})


def access_room_changed(*, room_id: int, admin_only: bool) -> None:
    """Takes the non-staff sockets out of a room made staff-only (4403)."""
    _on_commit(room_topic(room_id), {"admin_only": admin_only})


def _on_commit(topic: str, change: dict) -> None:
    transaction.on_commit(lambda: publish_control(topic, change))


def _remember_user(sender, instance, update_fields=None, **kwargs) -> None:
    if instance.pk is None or (update_fields and not set(update_fields) & set(_USER_FIELDS)):
        instance._access_before = None
        return
    instance._access_before = sender.objects.filter(pk=instance.pk).values(*_USER_FIELDS).first()


def _user_saved(sender, instance, created, **kwargs) -> None:
    before = getattr(instance, "_access_before", None)
    if created or before is None:
        return
    if before["is_active"] and not instance.is_active:
        access_revoke(user_id=instance.pk, reason="The account was deactivated.")
    elif before["password"] != instance.password:
        access_revoke(user_id=instance.pk, reason="The password was changed; log in again.")
    elif before["is_staff"] != instance.is_staff:
        access_staff_changed(user_id=instance.pk, is_staff=instance.is_staff)


def _user_deleted(sender, instance, **kwargs) -> None:
    access_revoke(user_id=instance.pk, reason="The account was deleted.")


def _remember_room(sender, instance, update_fields=None, **kwargs) -> None:
    if instance.pk is None or (update_fields and "admin_only" not in update_fields):
        instance._admin_only_before = None
        return
    before = sender.objects.filter(pk=instance.pk).values_list("admin_only", flat=True).first()
    instance._admin_only_before = before


def _room_saved(sender, instance, created, **kwargs) -> None:
    before = getattr(instance, "_admin_only_before", None)
    if not created and before is not None and before != instance.admin_only:
        access_room_changed(room_id=instance.pk, admin_only=instance.admin_only)


def connect_signals() -> None:
    """Called once, from ChatConfig.ready()."""
    user_model = get_user_model()
    pre_save.connect(_remember_user, sender=user_model, dispatch_uid="access-user-before")
    post_save.connect(_user_saved, sender=user_model, dispatch_uid="access-user-saved")
    post_delete.connect(_user_deleted, sender=user_model, dispatch_uid="access-user-deleted")
    pre_save.connect(_remember_room, sender=Room, dispatch_uid="access-room-before")
    post_save.connect(_room_saved, sender=Room, dispatch_uid="access-room-saved")
