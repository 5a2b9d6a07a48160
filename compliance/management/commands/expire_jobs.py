"""Mark failed the background jobs whose worker died or that ran past the time limit.

The job page and API do this for the job they show; run this from cron (every few
minutes) so that the import page's list is right too (docs/operations.md).
"""

from django.core.management.base import BaseCommand

from compliance.excel.jobs import expire_stale_jobs


class Command(BaseCommand):
    help = "Mark failed the running jobs whose worker stopped answering or ran too long."

    def handle(self, *args, **options):
        marked = expire_stale_jobs()
        self.stdout.write(f"{marked} tác vụ được đánh dấu thất bại.")
