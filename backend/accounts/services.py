from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError

from chat.errors import UsernameTaken
from chat.rows import Read

# What a socket reads of its user; the rest is deferred (loaded if ever used).
SOCKET_USER_FIELDS = ["id", "username", "is_active", "is_staff", "is_superuser"]


def user_register(*, username: str, password: str) -> AbstractBaseUser:
    try:
        return get_user_model().objects.create_user(username=username, password=password)
    except IntegrityError:
        # Lost a race with another sign-up of the same name after validation passed.
        raise UsernameTaken() from None


def active_user_read(user_id, *, with_password: bool = False) -> Read:
    """What reads the active user with this id, for a socket: once per handshake.
    ``with_password`` reads the password hash too, for checking a token's revocation claim."""
    fields = SOCKET_USER_FIELDS + ["password"] if with_password else SOCKET_USER_FIELDS
    return Read(get_user_model(), fields, "id = %s AND is_active", [user_id])
