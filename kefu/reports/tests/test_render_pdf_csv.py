"""The PDF (a valid file with the Chinese font embedded) and the CSV (UTF-8 with BOM, one
long table with a ``section`` column, the engine's figures)."""

import csv
import io
import re
from decimal import Decimal

import pytest

from kefu.reports.builder import report_build
from kefu.reports.render_csv import report_csv
from kefu.reports.render_pdf import report_pdf
from kefu.reports.tests.conftest import AS_OF, WEEK_DAY, cli_metrics


@pytest.fixture
def report(imported):
    return report_build(period="weekly", day=WEEK_DAY, as_of=AS_OF)


def test_the_pdf_is_a_pdf_with_pages_and_the_chinese_font_embedded(report):
    data = report_pdf(report)
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert len(re.findall(rb"/Type\s*/Page[^s]", data)) >= 1
    assert re.search(rb"/BaseFont\s*/[A-Z]{6}\+NotoSansSC", data)  # a subset of Noto Sans SC
    assert b"/FontFile" in data  # embedded, not merely named
    assert len(data) < 300_000  # subsetting keeps it small


def test_the_pdf_uses_only_the_installed_font_package():
    from kefu.reports.render_pdf import font_path

    path = font_path()
    assert path.exists() and path.parent.name == "pylopdf_fonts_zh_cn"


def parse_csv(data: bytes) -> list[dict]:
    assert data.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_the_csv_has_a_bom_a_section_column_and_every_table(report):
    rows = parse_csv(report_csv(report))
    sections = [row["section"] for row in rows]
    assert sections[:2] == ["summary", "previous"]
    assert sections.count("day") == 7
    assert {"team", "agent"} <= set(sections)
    assert any("售前" in row["name"] for row in rows if row["section"] == "team")


def test_the_csv_figures_equal_kefu_metrics(report):
    rows = parse_csv(report_csv(report))
    summary = next(row for row in rows if row["section"] == "summary")
    expected = cli_metrics(start="2026-11-09", end="2026-11-16")[0]["metrics"]
    for key, value in expected.items():
        cell = summary[key]
        if value is None:
            assert cell == "", key
        elif isinstance(value, str):
            assert Decimal(cell) == Decimal(value), key
        elif isinstance(value, int):
            assert int(cell) == value, key
        else:
            assert float(cell) == value, key  # repr() round-trips a float exactly
    agents = {row["agent_id"]: row for row in rows if row["section"] == "agent"}
    for row in cli_metrics(start="2026-11-09", end="2026-11-16", by="agent"):
        assert int(agents[row["group"]["agent_id"]]["conversations"]) == row["metrics"]["conversations"]
