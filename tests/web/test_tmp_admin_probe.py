import re
import pytest
from django.contrib.auth import get_user_model
pytestmark = pytest.mark.django_db

@pytest.mark.parametrize("lang", ["vi", "en"])
def test_probe(client, lang):
    su = get_user_model().objects.create_superuser("root", "r@example.com", "x")
    client.force_login(su)
    client.cookies["django_language"] = lang
    page = client.get("/admin/").content.decode()
    for m in re.findall(r"<caption>.*?</caption>|<th scope=\"row\"[^>]*>.*?</th>", page, re.S):
        print(lang, re.sub(r"<[^>]+>", "", m).strip())
