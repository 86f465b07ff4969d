import datetime
import re

import pytest
from django.utils import translation

from people.models import Category, OfficerStatus, OfficerStatusChange, Role, Unit, User
from people.services import PersonnelFileError, personnel_import_xlsx
from portal.models import AuditEntry
from tests.people.xlsx import HEADERS, officer_row, xlsx_bytes

STATION = "西湖分局/北山派出所"
SQUAD = "西湖分局/北山派出所/一中队"


def run(data: bytes, actor=None, **options):
    return personnel_import_xlsx(file=data, filename="花名册.xlsx", actor=actor, **options)


def counts():
    return User.objects.count(), Unit.objects.count(), OfficerStatusChange.objects.count(), AuditEntry.objects.count()


def problems(result):
    return {(error.row, error.column) for error in result.errors}


@pytest.mark.django_db
def test_import_creates_updates_and_leaves_unchanged_officers(hr, officer, squad):
    officer.birth_date = datetime.date(1990, 1, 1)
    officer.service_start_date = datetime.date(2015, 7, 1)
    officer.save()
    data = xlsx_bytes(
        [
            # officer (200001) exists in 北山派出所 with these exact facts: unchanged
            officer_row("200001", "张伟", STATION),
            # new auxiliary in the squad, police number typed as a number in Excel
            officer_row(200099, "钱多", SQUAD, "辅警", 职务="巡逻", 手机号=13800000001),
            # HR officer renamed: updated
            officer_row("400001", "孙丽丽", "西湖分局/政治处", 出生日期=datetime.datetime(1985, 3, 2)),
        ]
    )
    result = run(data, actor=hr)

    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (1, 1, 1)
    new = User.objects.get(police_number="200099")
    assert new.name == "钱多"
    assert new.unit == squad
    assert new.category == Category.AUXILIARY
    assert new.phone == "13800000001"
    assert not new.has_usable_password()
    assert new.role_codes() == {Role.AUXILIARY}
    hr.refresh_from_db()
    assert hr.name == "孙丽丽"
    assert hr.birth_date == datetime.date(1985, 3, 2)
    assert {Role.HR, Role.OFFICER} <= hr.role_codes()  # other role groups are kept
    entry = AuditEntry.objects.get(action="people.officer.imported")
    assert entry.actor == hr
    assert entry.data["source"] == "花名册.xlsx"
    assert (entry.data["created"], entry.data["updated"], entry.data["unchanged"]) == (1, 1, 1)


@pytest.mark.django_db
def test_importing_the_same_file_twice_changes_nothing_the_second_time(hr, station):
    data = xlsx_bytes([officer_row("210001", "吴一", STATION), officer_row("210002", "吴二", STATION, "辅警")])
    assert run(data, actor=hr).created == 2
    again = run(data, actor=hr)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


@pytest.mark.django_db
def test_a_column_left_out_of_the_file_keeps_stored_values(hr, officer):
    officer.phone = "13900000000"
    officer.is_middle_leader = True
    officer.save()
    headers = ["警号", "姓名", "单位", "人员类别"]
    result = run(xlsx_bytes([["200001", "张伟", STATION, "民警"]], headers=headers), actor=hr)
    assert result.ok, result.errors
    officer.refresh_from_db()
    assert officer.phone == "13900000000"
    assert officer.is_middle_leader


@pytest.mark.django_db
def test_every_kind_of_bad_cell_is_reported_with_row_and_column(hr, station):
    data = xlsx_bytes(
        [
            officer_row("", "无警号", STATION),  # row 2
            officer_row("220002", "", STATION),  # row 3
            officer_row("220003", "王三", "西湖分局/不存在派出所"),  # row 4
            officer_row("220004", "王四", STATION, "协警"),  # row 5
            officer_row("220005", "王五", STATION, 出生日期="1990-13-45"),  # row 6
            officer_row("220006", "王六", STATION, 状态="出差"),  # row 7
            officer_row("220007", "王七", STATION, 中层领导="也许"),  # row 8
            officer_row("22 008", "王八", STATION),  # row 9
            officer_row("220009", "王九", STATION, 手机号="call me"),  # row 10
            officer_row("220010", "王十", STATION, 出生日期="2090-01-01"),  # row 11
            officer_row("220011", "王十一", STATION, 出生日期="1990-01-01", 参加公安工作日期="1980-01-01"),  # 12
        ]
    )
    before = counts()
    result = run(data, actor=hr)

    assert problems(result) == {
        (2, "警号"),
        (3, "姓名"),
        (4, "单位"),
        (5, "人员类别"),
        (6, "出生日期"),
        (7, "状态"),
        (8, "中层领导"),
        (9, "警号"),
        (10, "手机号"),
        (11, "出生日期"),
        (12, "参加公安工作日期"),
    }
    messages = {(error.row, error.column): error.message for error in result.errors}
    assert "西湖分局/不存在派出所" in messages[(4, "单位")]
    assert "1990-13-45" in messages[(6, "出生日期")]
    assert "民警" in messages[(5, "人员类别")]  # says what is allowed
    assert counts() == before


@pytest.mark.django_db
def test_a_hire_date_in_the_future_is_refused_like_a_future_birth_date(hr, station):
    later = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    before = counts()
    result = run(xlsx_bytes([officer_row("220012", "王十二", STATION, 参加公安工作日期=later)]), actor=hr)
    assert problems(result) == {(2, "参加公安工作日期")}
    assert "将来" in result.errors[0].message
    assert counts() == before


@pytest.mark.django_db
def test_one_bad_row_means_nothing_is_written(hr, station, officer):
    before = counts()
    data = xlsx_bytes(
        [
            officer_row("230001", "好人", STATION),
            officer_row("200001", "张伟改名", STATION, 状态="离职"),
            officer_row("230003", "坏人", "西湖分局/火星派出所"),
        ]
    )
    result = run(data, actor=hr, create_units=False)
    assert problems(result) == {(4, "单位")}
    assert counts() == before
    officer.refresh_from_db()
    assert officer.name == "张伟"
    assert officer.status == OfficerStatus.ACTIVE


@pytest.mark.django_db
def test_a_missing_required_column_is_reported_once_on_row_one(hr, station):
    headers = [h for h in HEADERS if h != "单位*"]
    rows = [[v for h, v in zip(HEADERS, officer_row("240001", "甲", STATION), strict=True) if h != "单位*"]] * 3
    result = run(xlsx_bytes(rows, headers=headers), actor=hr)
    assert [(e.row, e.column) for e in result.errors] == [(1, "单位")]


@pytest.mark.django_db
def test_an_unknown_column_header_is_reported(hr, station):
    headers = [*HEADERS, "血型"]
    result = run(xlsx_bytes([[*officer_row("240002", "乙", STATION), "A"]], headers=headers), actor=hr)
    assert [(e.row, e.column) for e in result.errors] == [(1, "血型")]


@pytest.mark.django_db
def test_a_police_number_twice_in_the_file_names_both_rows(hr, station):
    data = xlsx_bytes(
        [officer_row("250001", "甲", STATION), officer_row("250002", "乙", STATION), officer_row(250001, "丙", STATION)]
    )
    result = run(data, actor=hr)
    assert problems(result) == {(4, "警号")}
    assert re.search(r"(?<!\d)2(?!\d)", result.errors[0].message)  # names the first row
    assert not User.objects.filter(police_number__startswith="25").exists()


@pytest.mark.django_db
def test_dry_run_reports_counts_and_writes_nothing(hr, officer, station):
    before = counts()
    data = xlsx_bytes(
        [officer_row("260001", "新人", "西湖分局/新派出所/一中队"), officer_row("200001", "张伟", STATION, 状态="借调")]
    )
    result = run(data, actor=hr, dry_run=True, create_units=True)
    assert result.ok, result.errors
    assert result.dry_run
    assert (result.created, result.updated, result.status_changes) == (1, 1, 1)
    assert result.units_created == ["西湖分局/新派出所", "西湖分局/新派出所/一中队"]
    assert counts() == before
    officer.refresh_from_db()
    assert officer.status == OfficerStatus.ACTIVE


@pytest.mark.django_db
def test_create_units_builds_missing_units_along_the_path(hr, branch):
    data = xlsx_bytes([officer_row("270001", "甲", "西湖分局/东山派出所/二中队")])
    result = run(data, actor=hr, create_units=True)
    assert result.ok, result.errors
    assert result.units_created == ["西湖分局/东山派出所", "西湖分局/东山派出所/二中队"]
    officer = User.objects.select_related("unit").get(police_number="270001")
    assert officer.unit.full_path == "西湖分局/东山派出所/二中队"
    assert officer.unit.kind == "squad"
    assert officer.unit.get_parent().kind == "station"


@pytest.mark.django_db
def test_status_change_through_import_leaves_history(hr, officer):
    data = xlsx_bytes([officer_row("200001", "张伟", STATION, 状态="借调")])
    result = run(data, actor=hr)
    assert result.ok, result.errors
    assert result.status_changes == 1
    officer.refresh_from_db()
    assert officer.status == OfficerStatus.SECONDED
    assert not officer.in_audience
    change = OfficerStatusChange.objects.get(officer=officer)
    assert (change.from_status, change.to_status, change.changed_by) == (
        OfficerStatus.ACTIVE,
        OfficerStatus.SECONDED,
        hr,
    )
    assert "花名册.xlsx" in change.reason


@pytest.mark.django_db
def test_status_change_reason_from_an_import_reads_in_the_readers_language(client, hr, officer):
    from django.conf import settings
    from django.urls import reverse

    with translation.override("zh-hans"):
        assert run(xlsx_bytes([officer_row("200001", "张伟", STATION, 状态="借调")]), actor=hr).ok
    client.force_login(hr)
    url = reverse("people:officer_detail", args=[officer.pk])

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(url).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    chinese = client.get(url).content.decode()

    assert "Personnel import: 花名册.xlsx" in english and "人员导入：花名册.xlsx" not in english
    assert "人员导入" in chinese and "Personnel import:" not in chinese


@pytest.mark.django_db
def test_category_change_moves_the_officer_to_the_other_role_group(hr, officer):
    run(xlsx_bytes([officer_row("200001", "张伟", STATION, "辅警")]), actor=hr)
    officer = User.objects.get(pk=officer.pk)
    assert officer.category == Category.AUXILIARY
    assert officer.role_codes() == {Role.AUXILIARY}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "empty"),
        ("警号,姓名\n200001,张伟\n".encode(), "not an Excel workbook"),
        (bytes(range(256)) * 4, "not an Excel workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
    ],
    ids=["empty", "csv", "random-bytes", "old-xls"],
)
@pytest.mark.django_db
def test_a_file_that_is_not_xlsx_gives_one_sentence(hr, content, expected):
    with translation.override("en"), pytest.raises(PersonnelFileError) as info:
        run(content, actor=hr)
    message = str(info.value)
    assert expected in message
    assert "\n" not in message and "Traceback" not in message


@pytest.mark.django_db
def test_a_zip_that_is_not_a_workbook_gives_one_sentence(hr):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(PersonnelFileError):
        run(buffer.getvalue(), actor=hr)


@pytest.mark.django_db
def test_headers_without_rows_is_a_file_error(hr):
    with pytest.raises(PersonnelFileError):
        run(xlsx_bytes([]), actor=hr)


@pytest.mark.django_db
def test_audit_names_the_right_units_when_new_units_renumber_the_tree(hr, officer, squad):
    # 东山派出所 sorts before 北山派出所, so creating it renumbers 北山派出所 and 一中队 below it.
    data = xlsx_bytes(
        [
            officer_row("280001", "甲", "西湖分局/东山派出所"),
            officer_row("200001", "张伟", SQUAD),
        ]
    )
    result = run(data, actor=hr, create_units=True)
    assert result.ok, result.errors
    officer.refresh_from_db()
    assert officer.unit == squad
    entry = AuditEntry.objects.get(action="people.officer.updated", target_id=str(officer.pk))
    assert entry.data["changes"]["unit"] == [STATION, SQUAD]


@pytest.mark.django_db
def test_old_import_reasons_become_keys_and_typed_reasons_stay(hr, officer, auxiliary):
    import importlib

    from django.apps import apps

    imported = OfficerStatusChange.objects.create(
        officer=officer,
        from_status=OfficerStatus.ACTIVE,
        to_status=OfficerStatus.SECONDED,
        reason="人员导入：花名册.xlsx",
    )
    typed = OfficerStatusChange.objects.create(
        officer=auxiliary, from_status=OfficerStatus.ACTIVE, to_status=OfficerStatus.ON_LEAVE, reason="病假"
    )

    importlib.import_module("people.migrations.0004_status_reasons_from_old_rows").forwards(apps, None)

    imported.refresh_from_db()
    typed.refresh_from_db()
    with translation.override("en"):
        assert imported.display_reason == "Personnel import: 花名册.xlsx"
        assert typed.display_reason == "病假" and typed.reason_message == {}
