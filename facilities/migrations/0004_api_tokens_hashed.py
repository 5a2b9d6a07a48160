"""API tokens move from rest_framework.authtoken (stored in clear, no expiry) to
django-rest-knox (SHA-512 digests with an expiry).

Each existing token is carried over as its digest, valid for the usual lifetime from
now, so that no client stops working at the upgrade; then the table that held the
tokens in clear is dropped, with its content type and permissions. The admin lists
the tokens through a proxy model with the registry's labels.
"""

from django.db import migrations
from django.utils import timezone


def carry_over_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if "authtoken_token" not in connection.introspection.table_names():
        return
    from knox.crypto import hash_token
    from knox.settings import CONSTANTS, knox_settings

    auth_token = apps.get_model("knox", "AuthToken")
    with connection.cursor() as cursor:
        cursor.execute("SELECT key, user_id FROM authtoken_token")
        rows = cursor.fetchall()
    expiry = timezone.now() + knox_settings.TOKEN_TTL
    auth_token.objects.using(connection.alias).bulk_create(
        [
            auth_token(
                digest=hash_token(key),
                token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH],
                user_id=user_id,
                expiry=expiry,
            )
            for key, user_id in rows
        ]
    )
    schema_editor.execute("DROP TABLE authtoken_token")
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.using(connection.alias).filter(app_label="authtoken").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("facilities", "0003_tax_code_check_digit_and_coordinate_pair"),
        ("knox", "0009_extend_authtoken_field"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.CreateModel(
            name="ApiToken",
            fields=[],
            options={
                "verbose_name": "mã truy cập API",
                "verbose_name_plural": "các mã truy cập API",
                "ordering": ["-created", "digest"],
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("knox.authtoken",),
        ),
        migrations.RunPython(carry_over_tokens, migrations.RunPython.noop),
    ]
