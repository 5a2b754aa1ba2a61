"""Token refresh that honours a password change, as access tokens do (CHECK_REVOKE_TOKEN)."""

from django.contrib.auth import get_user_model
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.serializers import TokenRefreshSerializer
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import get_md5_hash_password


def issued_before_password_change(token, user) -> bool:
    """simplejwt's revocation rule (CHECK_REVOKE_TOKEN): the token's digest of the password hash
    is not the user's current one."""
    claim = token.get(api_settings.REVOKE_TOKEN_CLAIM)
    return claim != get_md5_hash_password(user.password)


class RevocableTokenRefreshSerializer(TokenRefreshSerializer):
    """simplejwt checks the password digest of access tokens only: a refresh token from before a
    password change would go on minting access tokens that every check then refuses. Refused
    here instead, so a client learns at once that it must log in again."""

    def validate(self, attrs: dict) -> dict:
        refresh = RefreshToken(attrs["refresh"])
        user_id = refresh.payload.get(api_settings.USER_ID_CLAIM)
        user = get_user_model().objects.filter(pk=user_id).only("password").first()
        if user is not None and issued_before_password_change(refresh.payload, user):
            raise InvalidToken("The password has been changed; log in again.")
        return super().validate(attrs)
