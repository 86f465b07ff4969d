"""The sentences backups and restores report (``portal.services.backups``), registered as stored
texts so an audit entry or a notification about a failed backup reads in its reader's language.

Listed in the STORED_TEXT_MODULES setting, so the web process knows these keys without importing
the backup service.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.texts import register

BACKUP_ERRORS = {
    code: register(f"portal.backup.{code}", template)
    for code, template in {
        "busy": _("Another backup is being written into %(folder)s; try again when it has finished."),
        "not_writable": _("Cannot write to the backup folder %(folder)s: %(error)s"),
        "disk_full": _(
            "The disk holding %(folder)s is full: the backup was not written and the earlier backups are "
            "untouched. Free some space or point BACKUP_DIR at a larger disk."
        ),
        "program_missing": _(
            "%(program)s was not found. Install the PostgreSQL client programs (Debian: apt-get install "
            "postgresql-client) of the same major version as the database server."
        ),
        "program_failed": _("%(program)s failed: %(error)s"),
        "database_missing": _("The SQLite database %(path)s does not exist."),
        "database_error": _("The database could not be read: %(error)s"),
        "not_found": _("There is no backup at %(path)s."),
        "incomplete": _(
            "%(path)s is not a complete backup: its manifest.json is missing or unreadable. A backup "
            "interrupted while it was being written never looks complete; use another one."
        ),
        "missing_file": _("The backup is incomplete: %(file)s is missing. Nothing was restored."),
        "damaged": _(
            "The backup is damaged: %(file)s does not match the checksum in its manifest (%(found)s bytes, "
            "%(expected)s expected). Nothing was restored; use another copy of this backup."
        ),
        "unreadable": _("The backup is damaged: %(file)s cannot be read (%(error)s). Nothing was restored."),
        "vendor_mismatch": _(
            "This is a backup of a %(backup)s database, but the platform is configured for %(configured)s. "
            "Nothing was restored."
        ),
        "not_empty": _(
            "The database %(database)s is not empty (%(tables)s tables). A restore replaces everything in "
            "it: run the command again with --force if that is what you want."
        ),
        "counts_differ": _(
            "The restored database does not hold what the backup recorded (%(details)s). Do not open the "
            "platform on it; restore another backup."
        ),
    }.items()
}
