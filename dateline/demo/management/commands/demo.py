from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from dateline.demo import loader


class Command(BaseCommand):
    help = "Migrate if needed and load the offline demo site (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        loader.load(say=self.stdout.write)
        self.stdout.write(
            f"Demo ready. Editor login: {loader.EDITOR[0]} / {loader.EDITOR[1]} (demo only)"
        )
