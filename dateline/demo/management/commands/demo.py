from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from dateline.demo import loader


class Command(BaseCommand):
    help = "Migrate if needed and load the offline demo site (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            # The demo makes a superuser whose password is printed everywhere, and fills the
            # public blog and the worker's feeds with made-up outlets.
            raise CommandError(
                "the demo site signs in as editor / editor: it is never loaded with "
                "DATELINE_ENV=production"
            )
        call_command("migrate", interactive=False, verbosity=0)
        loader.load(say=self.stdout.write)
        self.stdout.write(
            f"Demo ready. Editor login: {loader.EDITOR[0]} / {loader.EDITOR[1]} (demo only)"
        )
