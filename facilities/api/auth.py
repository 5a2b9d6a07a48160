"""``POST /api/v1/auth/token/``: username and password in, ``{"token": ...}`` out."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer

from facilities.api.schema import ValidationErrorSerializer


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)


class TokenView(ObtainAuthToken):
    """Exchange a username and password for the account's API token (one per account).

    Send it as ``Authorization: Token <token>``. Wrong credentials: 400.
    """

    parser_classes = [JSONParser]
    renderer_classes = [JSONRenderer]

    @extend_schema(
        summary="Obtain an API token",
        request=ObtainAuthToken.serializer_class,
        responses={200: TokenSerializer, 400: ValidationErrorSerializer},
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)
