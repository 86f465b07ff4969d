"""`manage.py backup`: write a backup of the database and the uploaded files into BACKUP_DIR.

The nightly ``portal.backup`` schedule does the same in the worker (portal.services.backups).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from portal.services.backups import BackupError, backup_run, backups_list


class Command(BaseCommand):
    help = "Back up the database and MEDIA_ROOT into BACKUP_DIR (safe while the platform runs), keeping the newest N."

    def add_arguments(self, parser):
        parser.add_argument("--keep", type=int, help="How many backups to keep (default: the BACKUP_KEEP setting).")
        parser.add_argument("--list", action="store_true", help="List the complete backups and write nothing.")

    def handle(self, *args, keep=None, list=False, **options):
        if list:
            for backup in backups_list():
                self.stdout.write(
                    f"{backup.path}  {backup.manifest['vendor']}  {backup.total_bytes / 1e6:.1f} MB  "
                    + ", ".join(f"{label} {entry['rows']}" for label, entry in backup.manifest["counts"].items())
                )
            return
        if keep is not None and keep < 1:
            raise CommandError(_("--keep must be at least 1."))
        try:
            result = backup_run(actor="manage.py backup", keep=keep)
        except BackupError as error:
            raise CommandError(str(error)) from error
        backup = result.backup
        self.stdout.write(
            self.style.SUCCESS(
                _("Backup written: %(path)s (%(size).1f MB in %(seconds).1f s).")
                % {"path": backup.path, "size": backup.total_bytes / 1e6, "seconds": result.seconds}
            )
        )
        for label, entry in backup.manifest["counts"].items():
            self.stdout.write(f"  {label}: {entry['rows']}")
        if result.removed:
            self.stdout.write(_("Older backups removed: %(names)s") % {"names": ", ".join(result.removed)})
