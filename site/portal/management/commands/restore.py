"""`manage.py restore <backup>`: put a backup written by `manage.py backup` back.

Stop the web servers and workers first. See docs/DEPLOY.md, "Backups".
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from portal.services.backups import BackupError, backup_find, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup (a folder, a folder name in BACKUP_DIR, or 'latest') into the configured database "
        "and MEDIA_ROOT. Refuses a database that has tables unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", help="Backup folder, its name in BACKUP_DIR, or 'latest'.")
        parser.add_argument(
            "--force", action="store_true", help="Replace a database that is not empty (everything in it is lost)."
        )

    def handle(self, *args, backup, force=False, **options):
        try:
            result = backup_restore(path=backup_find(backup), force=force)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                _("Restored %(path)s (taken %(taken)s) in %(seconds).1f s; %(files)d uploaded files.")
                % {
                    "path": result.backup.path,
                    "taken": result.backup.manifest["created_at"],
                    "seconds": result.seconds,
                    "files": result.media_files,
                }
            )
        )
        self.stdout.write(_("Rows checked against the backup's manifest:"))
        for label, rows in result.counts.items():
            self.stdout.write(f"  {label}: {rows}")
        if result.pending_migrations:
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "The backup is from an earlier release: run manage.py migrate (%(count)d migrations) "
                        "before starting the platform."
                    )
                    % {"count": result.pending_migrations}
                )
            )
