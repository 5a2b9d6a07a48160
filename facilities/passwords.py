"""Django's password validators with their messages in Vietnamese (English in the
catalogue): Django ships no Vietnamese for them, so a registry user would read English.

The rules are Django's own, unchanged; AUTH_PASSWORD_VALIDATORS names these classes, and
every password that is set — the admin's forms, ``changepassword``, ``create_user`` —
is checked against them.
"""

from django.contrib.auth import password_validation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self):
        return ngettext(
            "Mật khẩu quá ngắn: cần ít nhất %(min_length)d ký tự.",
            "Mật khẩu quá ngắn: cần ít nhất %(min_length)d ký tự.",
            self.min_length,
        ) % {"min_length": self.min_length}

    def get_help_text(self):
        return ngettext(
            "Mật khẩu cần ít nhất %(min_length)d ký tự.",
            "Mật khẩu cần ít nhất %(min_length)d ký tự.",
            self.min_length,
        ) % {"min_length": self.min_length}


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    def get_error_message(self):
        return _("Mật khẩu quá giống %(verbose_name)s.")

    def get_help_text(self):
        return _("Mật khẩu không được quá giống các thông tin cá nhân khác của bạn.")


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def get_error_message(self):
        return _("Mật khẩu này quá phổ biến.")

    def get_help_text(self):
        return _("Mật khẩu không được là một mật khẩu phổ biến.")


class NumericPasswordValidator(password_validation.NumericPasswordValidator):
    def get_error_message(self):
        return _("Mật khẩu không được chỉ gồm chữ số.")

    def get_help_text(self):
        return _("Mật khẩu không được chỉ gồm chữ số.")
