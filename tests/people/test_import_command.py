import pytest
from django.core.management import CommandError, call_command

from people.models import OfficerStatusChange, Unit, User
from tests.people.xlsx import officer_row, xlsx_bytes

STATION = "西湖分局/北山派出所"


@pytest.fixture
def write(tmp_path):
    def _write(content: bytes, name: str = "personnel.xlsx"):
        path = tmp_path / name
        path.write_bytes(content)
        return str(path)

    return _write


@pytest.mark.django_db
def test_command_imports_and_prints_a_summary(write, station, capsys):
    path = write(xlsx_bytes([officer_row("600001", "甲", STATION), officer_row("600002", "乙", STATION, "辅警")]))
    call_command("import_personnel", path)
    out = capsys.readouterr().out
    assert "2" in out and "personnel.xlsx" in out
    assert set(User.objects.filter(police_number__startswith="6000").values_list("name", flat=True)) == {"甲", "乙"}


@pytest.mark.django_db
def test_command_dry_run_writes_nothing(write, station, officer):
    path = write(
        xlsx_bytes(
            [officer_row("600003", "丙", "西湖分局/新单位"), officer_row("200001", "张伟", STATION, 状态="离职")]
        )
    )
    before = (User.objects.count(), Unit.objects.count(), OfficerStatusChange.objects.count())
    call_command("import_personnel", path, "--dry-run", "--create-units")
    assert (User.objects.count(), Unit.objects.count(), OfficerStatusChange.objects.count()) == before


@pytest.mark.django_db
def test_command_lists_each_bad_row_and_fails(write, station, capsys):
    path = write(
        xlsx_bytes([officer_row("600004", "丁", "西湖分局/无此单位"), officer_row("600005", "戊", STATION, "协警")])
    )
    with pytest.raises(CommandError):
        call_command("import_personnel", path)
    err = capsys.readouterr().err
    assert "[单位]" in err and "西湖分局/无此单位" in err
    assert "[人员类别]" in err and "协警" in err
    assert not User.objects.filter(police_number__in=["600004", "600005"]).exists()


@pytest.mark.django_db
def test_command_needs_create_units_for_unknown_units(write, branch):
    path = write(xlsx_bytes([officer_row("600006", "己", "西湖分局/新所")]))
    with pytest.raises(CommandError):
        call_command("import_personnel", path)
    call_command("import_personnel", path, "--create-units")
    assert User.objects.get(police_number="600006").unit.full_path == "西湖分局/新所"


@pytest.mark.parametrize("content", [b"", b"police_number,name\n1,2\n", b"\x00\x01garbage" * 50])
@pytest.mark.django_db
def test_command_rejects_a_file_that_is_not_xlsx_in_one_sentence(write, content):
    path = write(content, "renamed.xlsx")
    with pytest.raises(CommandError) as info:
        call_command("import_personnel", path)
    assert "\n" not in str(info.value)


@pytest.mark.django_db
def test_command_reports_a_missing_file(tmp_path):
    with pytest.raises(CommandError):
        call_command("import_personnel", str(tmp_path / "nope.xlsx"))
