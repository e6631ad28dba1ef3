"""Django's dumpdata with region scopes disabled: a backup holds every region's rows."""

from django.core.management.commands import dumpdata
from django_scopes import scopes_disabled


class Command(dumpdata.Command):
    def handle(self, *args, **options):
        with scopes_disabled():
            return super().handle(*args, **options)
