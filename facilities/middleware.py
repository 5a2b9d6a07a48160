"""Vietnamese unless the user chose otherwise.

Django's LocaleMiddleware also follows the browser's Accept-Language, so a department
laptop set up in English would get an English registry nobody asked for. Here the
language is the one chosen with the switch (cookie), else LANGUAGE_CODE (Vietnamese).
API clients are programs that say what they want: for them Accept-Language still counts.
"""

import re

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

    def process_response(self, request, response):
        response = super().process_response(request, response)
        # The language belongs to this request: leave none active for whatever runs next
        # in this thread (a management command, a test, the next request's own choice).
        translation.deactivate()
        return response


# A multipart part whose Content-Disposition line is not UTF-8 (a file name in another
# encoding, or plain garbage) is skipped whole by Django's parser: the file never reaches
# request.FILES and nothing says so. The watcher below reads the part headers as the
# parser consumes the body and counts such lines, so that a form can refuse the request.
_DISPOSITION = re.compile(rb"\r\ncontent-disposition:[^\r\n]*\r\n", re.IGNORECASE)
_TAIL = 8192  # a part header line longer than this is not one a browser sends


class _PartHeaderWatch:
    """Wraps the request body stream; counts part headers that are not UTF-8."""

    def __init__(self, stream):
        self.stream = stream
        self.undecodable = 0
        self._tail = b""
        self._offset = 0  # bytes read so far
        self._scanned = 0  # absolute offset up to which matches were counted

    def _scan(self, data: bytes) -> bytes:
        if data:
            buffer = self._tail + data
            base = self._offset - len(self._tail)
            for match in _DISPOSITION.finditer(buffer):
                start = base + match.start()
                if start < self._scanned:
                    continue
                self._scanned = start + 1
                try:
                    match.group().decode("utf-8")
                except UnicodeDecodeError:
                    self.undecodable += 1
            self._offset += len(data)
            self._tail = buffer[-_TAIL:]
        return data

    def read(self, *args, **kwargs) -> bytes:
        return self._scan(self.stream.read(*args, **kwargs))

    def readline(self, *args, **kwargs) -> bytes:
        return self._scan(self.stream.readline(*args, **kwargs))

    def __getattr__(self, name):
        return getattr(self.stream, name)


class UploadNameWatchMiddleware:
    """Puts a ``_PartHeaderWatch`` on multipart request bodies (before anything parses them).

    ``undecodable_uploads(request)`` tells a view how many parts Django dropped.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        content_type = request.META.get("CONTENT_TYPE", "")
        if content_type.startswith("multipart/") and hasattr(request, "_stream"):
            request._stream = request._upload_watch = _PartHeaderWatch(request._stream)
        return self.get_response(request)


def undecodable_uploads(request) -> int:
    """How many parts of this request's body Django dropped for a non-UTF-8 header."""
    request.POST  # noqa: B018 — parse the body (once) so that the watcher has seen it
    watch = getattr(request, "_upload_watch", None)
    return watch.undecodable if watch else 0
