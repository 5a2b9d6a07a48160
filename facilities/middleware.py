"""Vietnamese unless the user chose otherwise.

Django's LocaleMiddleware also follows the browser's Accept-Language, so a department
laptop set up in English would get an English registry nobody asked for. Here the
language is the one chosen with the switch (cookie), else LANGUAGE_CODE (Vietnamese).
API clients are programs that say what they want: for them Accept-Language still counts.
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    def process_request(self, request):
        if request.path.startswith("/api/"):
            return super().process_request(request)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen and translation.check_for_language(chosen):
            language = translation.get_supported_language_variant(chosen)
        else:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
