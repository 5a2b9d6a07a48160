"""An attachment whose file name is not UTF-8 is refused on the form with nothing saved
(Django's parser drops such a part without a word; the page used to say "saved")."""

import pytest
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from inspections.models import Attachment, Inspection
from tests.web.test_pages import PNG_1PX, visit_post

pytestmark = pytest.mark.django_db


class Named:
    """A file for encode_multipart with a placeholder name swapped for raw bytes later."""

    def __init__(self, placeholder: str, content: bytes):
        self.name, self.content = placeholder, content

    def read(self):
        return self.content


def body_with(names_and_contents: list[tuple[bytes, bytes]]) -> bytes:
    files = [Named(f"PLACEHOLDER{i}.png", c) for i, (_, c) in enumerate(names_and_contents)]
    body = encode_multipart(BOUNDARY, {**visit_post(), "files": files})
    for i, (raw_name, _) in enumerate(names_and_contents):
        body = body.replace(
            f'filename="PLACEHOLDER{i}.png"'.encode(), b'filename="' + raw_name + b'"'
        )
    return body


def post(client, registry, body: bytes):
    return client.generic(
        "POST",
        f"/facilities/{registry['own'].pk}/inspections/new/",
        body,
        content_type=MULTIPART_CONTENT,
    )


@pytest.mark.parametrize("name", [b"\xff\xfe.png", b"bi\xean-b\xe1n.png", b"\xc3(.png"])
def test_a_file_name_that_is_not_utf8_is_an_error_and_nothing_is_saved(
    client, inspector_tam_duong, registry, name
):
    client.force_login(inspector_tam_duong)
    response = post(client, registry, body_with([(name, PNG_1PX)]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Không đọc được tên của 1 tệp" in page
    assert "Đã lưu bản nháp" not in page
    assert not Inspection.objects.filter(summary="Đợt kiểm tra tháng 11").exists()
    assert not Attachment.objects.exists()


@pytest.mark.parametrize("padding", [0, 65_000, 65_536 - 300, 200_000])
def test_the_bad_name_is_found_after_a_large_good_file_wherever_the_chunks_split(
    client, inspector_tam_duong, registry, padding
):
    client.force_login(inspector_tam_duong)
    good = PNG_1PX + b"\0" * padding
    response = post(client, registry, body_with([(b"tot.png", good), (b"\xff.png", PNG_1PX)]))
    assert "Không đọc được tên của 1 tệp" in response.content.decode()
    assert not Attachment.objects.exists()


def test_a_vietnamese_utf8_name_is_accepted(client, inspector_tam_duong, registry):
    client.force_login(inspector_tam_duong)
    response = post(client, registry, body_with([("biên-bản.png".encode(), PNG_1PX)]))
    assert response.status_code == 302
    assert Attachment.objects.get().original_name == "biên-bản.png"
