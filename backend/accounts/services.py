from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError

from chat.errors import UsernameTaken


def user_register(*, username: str, password: str) -> AbstractBaseUser:
    try:
        return get_user_model().objects.create_user(username=username, password=password)
    except IntegrityError:
        # Lost a race with another sign-up of the same name after validation passed.
        raise UsernameTaken() from None
