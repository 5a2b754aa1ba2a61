from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, permissions, status
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer, TokenRefreshSerializer
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.views import TokenBlacklistView, TokenObtainPairView
from rest_framework_simplejwt.views import TokenRefreshView as SimpleJwtTokenRefreshView

from accounts.login_limits import check_address_allowed
from accounts.serializers import LoginSerializer, MeSerializer, RegisterSerializer, TicketSerializer
from accounts.services import user_register
from accounts.tickets import ws_ticket_issue
from api.schema import error, errors
from chat.access import access_revoke

TOKEN_NOT_VALID = error("`token_not_valid`: the refresh token is bad, expired or already used.")


class AddressLimited:
    """Sign-up and login guess passwords: together they get LOGIN_RATE attempts per client
    address, counted atomically (accounts/login_limits.py) instead of by DRF's throttles."""

    throttle_classes = []

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        # REMOTE_ADDR only: a client-sent X-Forwarded-For would give every guess a new address.
        # Behind nginx the launcher (PROXY_HEADERS) puts the real client's address there; a
        # server on a Unix socket has none, and its clients share one budget.
        check_address_allowed(address=request.META.get("REMOTE_ADDR", ""))


@extend_schema_view(post=extend_schema(responses={201: RegisterSerializer, **errors(400, 429)}))
class RegisterView(AddressLimited, generics.CreateAPIView):
    serializer_class = RegisterSerializer
    permission_classes = [permissions.AllowAny]
    authentication_classes = []

    def perform_create(self, serializer: RegisterSerializer) -> None:
        serializer.instance = user_register(**serializer.validated_data)


@extend_schema_view(
    post=extend_schema(
        # simplejwt's own serializer, which drf-spectacular knows how to describe.
        request=TokenObtainPairSerializer,
        responses={
            200: TokenObtainPairSerializer,
            **errors(400, 429),
            401: error("`authentication_failed`: wrong username or password."),
        },
        description="Also 429 for a username locked after LOGIN_FAILURE_LIMIT failed logins.",
    )
)
class TokenView(AddressLimited, TokenObtainPairView):
    serializer_class = LoginSerializer


@extend_schema_view(
    post=extend_schema(
        responses={200: TokenRefreshSerializer, **errors(400, 429), 401: TOKEN_NOT_VALID}
    )
)
class TokenRefreshView(SimpleJwtTokenRefreshView):
    """simplejwt's, with its errors in the schema."""


class LogoutView(TokenBlacklistView):
    @extend_schema(responses={205: None, **errors(400, 429), 401: TOKEN_NOT_VALID})
    def post(self, request, *args, **kwargs) -> Response:
        super().post(request, *args, **kwargs)  # raises unless the token is now blacklisted
        refresh = RefreshToken(request.data["refresh"], verify=False)
        access_revoke(user_id=refresh[api_settings.USER_ID_CLAIM], reason="Logged out.")
        return Response(status=status.HTTP_205_RESET_CONTENT)


@extend_schema_view(get=extend_schema(responses={200: MeSerializer, **errors(401, 429)}))
class MeView(generics.RetrieveAPIView):
    serializer_class = MeSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_object(self):
        return self.request.user


class WsTicketView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses={200: TicketSerializer, **errors(401, 429)})
    def post(self, request) -> Response:
        ticket, expires_in = ws_ticket_issue(
            user=request.user, credential_expires_at=request.auth["exp"]
        )
        return Response(TicketSerializer({"ticket": ticket, "expires_in": expires_in}).data)
