"""``manage.py create_user USERNAME --role ROLE [--districts 105,106] [--communes 03390]
[--enterprise TAX]``."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from stdnum.exceptions import ValidationError as StdnumError

from facilities.choices import Role
from facilities.history import change_context
from facilities.models import Enterprise, canonical_tax_code
from facilities.services import user_create


class Command(BaseCommand):
    help = "Tạo (hoặc cập nhật) tài khoản với vai trò trong sổ đăng ký."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument(
            "--districts", default="", help="Mã huyện, phân cách bằng dấu phẩy (cán bộ kiểm tra)."
        )
        parser.add_argument(
            "--communes",
            default="",
            help="Mã xã / phường (5 chữ số), phân cách bằng dấu phẩy (cán bộ kiểm tra).",
        )
        parser.add_argument("--enterprise", default="", help="Mã số thuế (tài khoản doanh nghiệp).")
        parser.add_argument("--password", default=None)
        parser.add_argument("--email", default="")
        parser.add_argument("--full-name", default="")

    def handle(self, *args, username, role, districts, communes, enterprise, password, **options):
        codes = [c.strip() for c in districts.split(",") if c.strip()]
        commune_codes = [c.strip() for c in communes.split(",") if c.strip()]
        if codes and role != Role.INSPECTOR:
            raise CommandError("--districts chỉ dùng cho vai trò inspector.")
        if commune_codes and role != Role.INSPECTOR:
            raise CommandError("--communes chỉ dùng cho vai trò inspector.")
        if enterprise and role != Role.BUSINESS:
            raise CommandError("--enterprise chỉ dùng cho vai trò business.")
        found = None
        if enterprise:
            try:
                tax_code = canonical_tax_code(enterprise)
            except StdnumError:
                tax_code = enterprise
            found = Enterprise.objects.filter(tax_code=tax_code).first()
            if found is None:
                raise CommandError(f"Không có doanh nghiệp với mã số thuế {enterprise}.")
        try:
            with change_context(reason="manage.py create_user"):
                user = user_create(
                    username=username,
                    role=role,
                    password=password,
                    districts=codes,
                    communes=commune_codes,
                    enterprise=found,
                    email=options["email"],
                    full_name=options["full_name"],
                )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        detail = ""
        if codes or commune_codes:
            detail = f" — địa bàn {', '.join(sorted(codes) + sorted(commune_codes))}"
        if found:
            detail = f" — {found}"
        self.stdout.write(f"{user.get_username()}: {Role(role).label}{detail}")
