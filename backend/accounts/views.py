from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, status
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenBlacklistView, TokenObtainPairView

from accounts.serializers import MeSerializer, RegisterSerializer, TicketSerializer
from accounts.services import user_register
from accounts.tickets import ws_ticket_issue


class LoginThrottled:
    """Sign-up and login are rate limited per client address (LOGIN_RATE): they guess passwords."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"


class RegisterView(LoginThrottled, generics.CreateAPIView):
    serializer_class = RegisterSerializer
    permission_classes = [permissions.AllowAny]
    authentication_classes = []

    def perform_create(self, serializer: RegisterSerializer) -> None:
        serializer.instance = user_register(**serializer.validated_data)


class TokenView(LoginThrottled, TokenObtainPairView):
    pass


class LogoutView(TokenBlacklistView):
    @extend_schema(responses={205: None})
    def post(self, request, *args, **kwargs) -> Response:
        super().post(request, *args, **kwargs)
        return Response(status=status.HTTP_205_RESET_CONTENT)


class MeView(generics.RetrieveAPIView):
    serializer_class = MeSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_object(self):
        return self.request.user


class WsTicketView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses=TicketSerializer)
    def post(self, request) -> Response:
        ticket, expires_in = ws_ticket_issue(user=request.user)
        return Response(TicketSerializer({"ticket": ticket, "expires_in": expires_in}).data)
