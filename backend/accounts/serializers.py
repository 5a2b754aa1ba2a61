from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from rest_framework import exceptions, serializers
from rest_framework.validators import UniqueValidator
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer

from accounts.login_limits import check_username_allowed, login_failed, login_succeeded

User = get_user_model()


class RegisterSerializer(serializers.ModelSerializer):
    password = serializers.CharField(write_only=True, trim_whitespace=False, max_length=128)

    class Meta:
        model = User
        fields = ["id", "username", "password"]
        read_only_fields = ["id"]
        extra_kwargs = {
            "username": {
                "validators": [
                    *User._meta.get_field("username").validators,
                    UniqueValidator(
                        User.objects.all(), message="A user with that username already exists."
                    ),
                ]
            }
        }

    def validate(self, attrs: dict) -> dict:
        candidate = User(username=attrs["username"])
        try:
            validate_password(attrs["password"], user=candidate)
        except serializers.DjangoValidationError as error:
            raise serializers.ValidationError({"password": list(error.messages)}) from None
        return attrs


class MeSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "is_staff"]


class TicketSerializer(serializers.Serializer):
    ticket = serializers.CharField()
    expires_in = serializers.IntegerField(help_text="Seconds until the ticket stops working.")


class LoginSerializer(TokenObtainPairSerializer):
    """simplejwt's login with the per-username limit around its password check. Here, not in
    the view: the fields have been parsed (trimmed, made text), so " alice" counts as alice."""

    def validate(self, attrs: dict) -> dict:
        username = attrs[self.username_field]
        check_username_allowed(username=username)
        try:
            tokens = super().validate(attrs)
        except exceptions.AuthenticationFailed:
            login_failed(username=username)
            raise
        login_succeeded(username=username)
        return tokens
