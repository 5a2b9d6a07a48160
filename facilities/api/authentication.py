"""How API requests prove who they are: ``Authorization: Token <token>``.

Kept apart from the token views because REST framework imports it while it is itself
being imported (settings ``DEFAULT_AUTHENTICATION_CLASSES``).
"""

import binascii
from hmac import compare_digest

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS
from rest_framework import exceptions
from rest_framework.authentication import get_authorization_header


class ApiTokenAuthentication(TokenAuthentication):
    """knox's token check, in one query (the token with its user), with our messages.

    knox also loads and prunes every other token of the user at each request; here
    expired tokens are pruned when they are presented and when their user logs in.
    """

    invalid_message = _("Mã truy cập không hợp lệ, đã hết hạn hoặc đã bị thu hồi.")

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.authenticate_header(request).encode().lower():
            return None  # no token: another authentication may apply
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Tiêu đề Authorization phải có dạng: Token, một dấu cách, rồi mã truy cập.")
            )
        return self.authenticate_credentials(parts[1])

    def authenticate_credentials(self, token: bytes):
        try:
            text = token.decode("ascii")
            digest = hash_token(text)
        except (UnicodeDecodeError, TypeError, binascii.Error):
            raise exceptions.AuthenticationFailed(self.invalid_message) from None
        candidates = AuthToken.objects.filter(
            token_key=text[: CONSTANTS.TOKEN_KEY_LENGTH]
        ).select_related("user")
        for auth_token in candidates:
            if not compare_digest(digest, auth_token.digest):
                continue
            if auth_token.expiry is not None and auth_token.expiry <= timezone.now():
                auth_token.delete()
                break
            if not auth_token.user.is_active:
                break
            return auth_token.user, auth_token
        raise exceptions.AuthenticationFailed(self.invalid_message)
