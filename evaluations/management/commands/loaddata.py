"""Django's loaddata with region scopes disabled: a fixture names rows of several regions by
their natural keys (region code included) and is not a request of any one region."""

from django.core.management.commands import loaddata
from django_scopes import scopes_disabled


class Command(loaddata.Command):
    def handle(self, *args, **options):
        with scopes_disabled():
            return super().handle(*args, **options)
