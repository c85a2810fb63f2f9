"""``kefu report``: writes the file its extension names; bad input is a CommandError (exit 1)."""

from io import BytesIO, StringIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from kefu.reports.tests.conftest import cli_metrics


def report(*args) -> str:
    out = StringIO()
    call_command("report", *args, stdout=out)
    return out.getvalue()


def test_a_weekly_excel_report_of_one_shop(imported, tmp_path):
    path = tmp_path / "week.xlsx"
    printed = report("--period", "weekly", "--date", "2026-11-11", "--shop", imported, "--out", str(path))
    assert "2026-11-09 – 2026-11-15" in printed and str(path) in printed
    sheet = load_workbook(BytesIO(path.read_bytes())).worksheets[0]
    row = next(r for r in range(6, sheet.max_row) if sheet.cell(r, 7).value == "conversations")
    expected = cli_metrics(start="2026-11-09", end="2026-11-16", shop=imported)[0]["metrics"]["conversations"]
    assert sheet.cell(row, 2).value == expected > 0


@pytest.mark.parametrize("suffix", ["pdf", "csv"])
def test_the_extension_picks_the_format(shop, tmp_path, suffix):
    path = tmp_path / f"day.{suffix}"
    report("--period", "daily", "--date", "2026-11-11", "--out", str(path))
    assert path.read_bytes().startswith(b"%PDF-" if suffix == "pdf" else "\ufeffsection,".encode())


@pytest.mark.parametrize(("args", "message"), [
    (["--period", "yearly", "--date", "2026-11-11"], "invalid choice: 'yearly'"),
    (["--period", "daily", "--date", "11/11/2026"], "--date must be YYYY-MM-DD"),
    (["--period", "daily", "--date", "2026-11-11", "--shop", "nope"], "unknown shop 'nope'"),
    (["--period", "daily", "--date", "2026-11-11", "--as-of", "2026-11-12T00:00"], "needs a UTC offset"),
])
def test_bad_input_is_a_clear_error(shop, tmp_path, args, message):
    with pytest.raises(CommandError, match=message) as error:
        report(*args, "--out", str(tmp_path / "r.xlsx"))
    assert error.value.returncode == 1  # the exit status of `kefu report`


def test_an_unknown_extension_or_directory_is_refused(shop, tmp_path):
    with pytest.raises(CommandError, match=r"must end in \.xlsx, \.pdf or \.csv"):
        report("--period", "daily", "--date", "2026-11-11", "--out", str(tmp_path / "r.docx"))
    with pytest.raises(CommandError, match="no such directory"):
        report("--period", "daily", "--date", "2026-11-11", "--out", str(tmp_path / "missing" / "r.pdf"))
