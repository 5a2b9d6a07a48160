"""``/api/v1/auth/token/``: ``POST`` exchanges a username and password for a token,
``DELETE`` revokes the token the request carries.

Tokens are django-rest-knox tokens (facilities/tokens.py): hashed at rest, with an
expiry. Clients send them as ``Authorization: Token <token>``. Logins go through
``django.contrib.auth.authenticate`` with the request, so django-axes counts failures
here as on the login page and the admin, and refuses a locked-out username or address
with 429 (facilities/lockout.py).
"""

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from knox.models import AuthToken
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from facilities.api.authentication import ApiTokenAuthentication
from facilities.api.parsers import RegistryJSONParser
from facilities.api.schema import ErrorSerializer, ValidationErrorSerializer
from facilities.tokens import token_create, token_revoke


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("Tên đăng nhập"), max_length=150)
    password = serializers.CharField(
        label=_("Mật khẩu"), max_length=4096, trim_whitespace=False, write_only=True
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)
    expires = serializers.DateTimeField(read_only=True)


class TokenView(APIView):
    """Exchange a username and password for a new API token; revoke the one you use."""

    parser_classes = [RegistryJSONParser]
    renderer_classes = [JSONRenderer]

    def get_authenticators(self):
        # A stale token in the header must not stand in the way of getting a new one.
        if getattr(self.request, "method", None) == "DELETE":
            return [ApiTokenAuthentication(), SessionAuthentication()]
        return []

    def get_permissions(self):
        # Anyone may try to log in (other methods: 405 for everyone alike).
        if getattr(self.request, "method", None) == "DELETE":
            return [IsAuthenticated()]
        return [AllowAny()]

    @extend_schema(
        summary="Obtain an API token",
        description=(
            "A new token for the account, valid until `expires`. Repeated failed logins "
            "for one username or from one address are refused with 429 and Retry-After."
        ),
        request=LoginSerializer,
        responses={200: TokenSerializer, 400: ValidationErrorSerializer, 429: ErrorSerializer},
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        login = LoginSerializer(data=request.data)
        login.is_valid(raise_exception=True)
        # The Django request: django-axes marks it, and its middleware answers 429.
        user = authenticate(
            request._request,
            username=login.validated_data["username"],
            password=login.validated_data["password"],
        )
        if user is None:
            raise exceptions.ValidationError(
                {"non_field_errors": [_("Tên đăng nhập hoặc mật khẩu không đúng.")]}
            )
        # As a page login does: last_login is updated, and django-axes clears the counts
        # of failures that have expired (and logs the release).
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        instance, token = token_create(user=user)
        response = Response(TokenSerializer({"token": token, "expires": instance.expiry}).data)
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(
        summary="Revoke the API token of this request",
        description=(
            "The token sent in `Authorization` stops working at once; the account's other "
            "tokens are untouched. A request authenticated by a session has no token: 400."
        ),
        request=None,
        responses={204: None, 400: ErrorSerializer, 401: ErrorSerializer},
    )
    def delete(self, request, *args, **kwargs):
        if not isinstance(request.auth, AuthToken):
            raise exceptions.ParseError(
                _("Yêu cầu này không dùng mã truy cập API nên không có gì để thu hồi.")
            )
        token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)
