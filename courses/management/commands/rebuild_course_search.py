from django.core.management.base import BaseCommand

from courses.services import search_documents_rebuild


class Command(BaseCommand):
    help = "Rebuild the Chinese search table of courses and lessons from the live pages."

    def handle(self, *args, **options):
        count = search_documents_rebuild()
        self.stdout.write(self.style.SUCCESS(f"Indexed {count} live courses and lessons."))
