from django.core.management.base import BaseCommand

from smartcity import lockout


class Command(BaseCommand):
    help = (
        "Lifts the login lockout of these user names from every address they were locked out from, "
        "with the lockout in the database or in Redis (axes_reset_username cannot find one in Redis)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="+")

    def handle(self, *args, **options):
        cleared = {username: lockout.unlock(username) for username in options["username"]}
        summary = ", ".join(f"{username} ({count} hitungan kegagalan dihapus)" for username, count in cleared.items())
        self.stdout.write(f"unlock_user: kunci masuk dibuka: {summary}.")
