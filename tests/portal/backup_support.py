"""Commands run beside ``manage.py backup`` / ``restore`` in the backup tests (tests/portal/test_backup.py),
in a subprocess with the environment of a database of the test's own (``tests.exams.restart_support``):

    python -m tests.portal.backup_support prepare       two officers sit a qualification exam (graded
                                                         attempts, answers, qualifications, audit entries)
                                                         and an uploaded file → {"officers": [...]}
    python -m tests.portal.backup_support inspect       what a restore must bring back, as JSON
    python -m tests.portal.backup_support write STOP    writes until the file STOP exists: each
                                                         transaction one audit entry and one notification
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
OFFICERS = ("270001", "270002")
WRITER_KIND = "tests.backup.write"


def prepare() -> dict:
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from tests.certification.qualification_support import qualification_exam, sit
    from tests.factories import UserFactory, unit_create

    station = unit_create("南湖派出所")
    names = dict(zip(OFFICERS, ("李娜", "王强"), strict=True))
    officers = [UserFactory(police_number=number, name=name, unit=station) for number, name in names.items()]
    exam = qualification_exam(*officers, title="2026年度基本级执法资格考试（备份测试）")
    sit(exam, officers[0], correct=True)
    sit(exam, officers[1], correct=False)
    default_storage.save("documents/备份测试.txt", ContentFile("恢复后应当原样找回。".encode()))
    return {"officers": list(OFFICERS)}


def inspect() -> dict:
    from django.conf import settings

    from certification.models import Qualification
    from exams.models import Answer, Attempt
    from portal.models import AuditEntry, Notification
    from portal.services.backups import _counted_tables, _database

    media = Path(settings.MEDIA_ROOT)
    return {
        "counts": _database().counts(_counted_tables()),
        "attempts": [
            [a.officer.police_number, a.exam.title, a.state, str(a.score), a.passed]
            for a in Attempt.objects.select_related("officer", "exam").order_by("pk")
        ],
        "answers": [
            [a.attempt.officer.police_number, a.paper_item.position, a.response, a.client_seq]
            for a in Answer.objects.select_related("attempt__officer", "paper_item").order_by("pk")
        ],
        "qualifications": [
            [q.officer.police_number, q.qualification_type.code, q.status, str(q.granted_on), q.source]
            for q in Qualification.objects.select_related("officer", "qualification_type").order_by("pk")
        ],
        "audit": [
            [e.action, e.actor_label, e.target_type, e.target_id]
            for e in AuditEntry.objects.exclude(action=WRITER_KIND).order_by("pk")
        ],
        "writer": {
            "audit": AuditEntry.objects.filter(action=WRITER_KIND).count(),
            "notifications": Notification.objects.filter(kind=WRITER_KIND).count(),
        },
        "media": {
            str(path.relative_to(media)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(media.rglob("*"))
            if path.is_file()
        }
        if media.is_dir()
        else {},
    }


def write(stop: Path) -> int:
    """Pairs of rows in one transaction each, as fast as the database takes them, until ``stop`` exists."""
    from django.db import transaction

    from people.models import User
    from portal.models import Notification
    from portal.services import audit_log

    officer = User.objects.get(police_number=OFFICERS[0])
    written = 0
    while not stop.exists():
        with transaction.atomic():
            audit_log(actor="tests.backup", action=WRITER_KIND, data={"n": written})
            Notification.objects.create(recipient=officer, title=f"写入 {written}", kind=WRITER_KIND)
        written += 1
        if written == 1:
            print("writing", flush=True)
        time.sleep(0.002)
    return written


def main(argv: list[str]) -> None:
    sys.path[:0] = [str(ROOT / "site"), str(ROOT)]
    import django

    django.setup()
    if argv[0] == "prepare":
        result = prepare()
    elif argv[0] == "inspect":
        result = inspect()
    else:
        result = {"written": write(Path(argv[1]))}
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1:])
