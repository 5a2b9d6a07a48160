"""API tokens (django-rest-knox): issued, expired, revoked.

Only a SHA-512 digest of each token is stored, with its expiry (``REST_KNOX
["TOKEN_TTL"]``, from ``API_TOKEN_DAYS``). A token stops working when it expires, when
its holder revokes it, when its user is deactivated (both checked at each request by
``facilities.api.authentication.ApiTokenAuthentication``) and when its user's password
changes (``revoke_tokens_on_password_change`` below, on every path that saves a user:
forms, the admin, ``changepassword``, ``create_user``).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import timezone
from knox.models import AuthToken
from knox.settings import knox_settings


def token_create(*, user) -> tuple[AuthToken, str]:
    """A new token for ``user``: the stored row and the token itself, shown only once.

    The user's expired tokens are deleted on the way: they can never work again. A user
    keeps at most ``API_TOKENS_PER_USER`` working tokens: a script that logs in at every
    run would otherwise pile up a token per run for the whole lifetime of a token. The
    oldest go first, so the clients that logged in last keep working.
    """
    AuthToken.objects.filter(user=user, expiry__lte=timezone.now()).delete()
    keep = settings.API_TOKENS_PER_USER - 1
    oldest = (
        AuthToken.objects.filter(user=user)
        .order_by("-created", "-pk")
        .values_list("pk", flat=True)[keep:]
    )
    AuthToken.objects.filter(pk__in=list(oldest)).delete()
    return AuthToken.objects.create(user=user, expiry=knox_settings.TOKEN_TTL)


def token_revoke(*, token: AuthToken) -> None:
    """The token no longer works (``DELETE /api/v1/auth/token/``)."""
    token.delete()


@receiver(pre_save, sender=settings.AUTH_USER_MODEL)
def revoke_tokens_on_password_change(sender, instance, update_fields=None, **kwargs):
    """A new password (or an unusable one) ends every token of the user.

    Compared with the stored hash rather than hooked into ``set_password`` so that
    every way of changing the password counts. Saves that name their fields without
    the password (``last_login`` at each login) cost nothing.
    """
    if instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    stored = (
        get_user_model().objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    )
    if stored is not None and stored != instance.password:
        AuthToken.objects.filter(user_id=instance.pk).delete()
