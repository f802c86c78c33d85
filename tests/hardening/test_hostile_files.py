"""Hostile files: each is refused (or read) with one clean line, in bounded memory and time.

Each file is built here, small on disk and huge once read: a workbook whose shared strings unpack
to hundreds of megabytes, a registry zip whose member has no line break, a script whose aliases fan
out to billions of nodes, a call list repeating one lead with distinct 99 KB notes. The real
command runs in a subprocess whose peak memory is measured (tests/hardening/measured.py).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.hardening.conftest import query
from tests.hardening.measured import MEMORY_BUDGET_MB, assert_clean_refusal, run_measured

HEADER = ["First Name", "Last Name", "Phone", "Notes"]


def small_workbook() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(["Maria", "Lopez", "(212) 555-0134", "met at the fair"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


SST_OPEN = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
SST_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def rewrite_member(workbook: bytes, path: Path, name: str, chunks: object) -> Path:
    """`workbook` with member `name` set to the concatenation of `chunks`, streamed into the zip.

    A shared strings part is also declared in `[Content_Types].xml`, where readers look for it.
    """
    with (
        zipfile.ZipFile(io.BytesIO(workbook)) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target,
    ):
        for info in source.infolist():
            if info.filename == name:
                continue
            data = source.read(info.filename)
            if info.filename == "[Content_Types].xml" and name == "xl/sharedStrings.xml":
                override = b'<Override PartName="/xl/sharedStrings.xml" ContentType="' + SST_TYPE + b'"/>'
                data = data.replace(b"</Types>", override + b"</Types>")
            target.writestr(info.filename, data)
        with target.open(name, "w", force_zip64=True) as member:
            for chunk in chunks:  # type: ignore[attr-defined]
                member.write(chunk)
    return path


def shared_strings_bomb() -> object:
    """17 million tiny shared strings (about 300 MB of XML; a few hundred KB compressed)."""
    yield SST_OPEN
    block = b"<si><t>x</t></si>" * 60_000
    for _ in range(290):
        yield block
    yield b"</sst>"


def test_xlsx_shared_strings_bomb(cli_env: dict[str, str], tmp_path: Path) -> None:
    path = rewrite_member(
        small_workbook(), tmp_path / "bomb.xlsx", "xl/sharedStrings.xml", shared_strings_bomb()
    )
    assert path.stat().st_size < 5_000_000
    db = tmp_path / "dialdesk.db"
    run = run_measured(cli_env, db, "leads", "import", str(path))
    assert_clean_refusal(run, "bomb.xlsx", "sharedStrings.xml")
    assert not db.exists() or query(db, "SELECT count(*) FROM leads") == [(0,)]


def test_xlsx_cell_longer_than_excel_allows(cli_env: dict[str, str], tmp_path: Path) -> None:
    # 40 MB in one shared string: under the part limit, far over Excel's 32,767 characters a cell.
    def strings() -> object:
        yield SST_OPEN
        for word in HEADER:
            yield f"<si><t>{word}</t></si>".encode()
        yield b"<si><t>"
        for _ in range(40):
            yield b"A" * 1_000_000
        yield b"</t></si></sst>"

    path = rewrite_member(small_workbook(), tmp_path / "long.xlsx", "xl/sharedStrings.xml", strings())
    run = run_measured(cli_env, tmp_path / "dialdesk.db", "leads", "import", str(path))
    assert_clean_refusal(run, "long.xlsx", "32767")


def test_xlsx_declared_sheet_size_and_far_rows_are_refused(cli_env: dict[str, str], tmp_path: Path) -> None:
    # A row number past Excel's last row would make the reader produce billions of empty rows.
    def sheet() -> object:
        yield (
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            b'<row r="1"><c r="A1" t="inlineStr"><is><t>Phone</t></is></c></row>'
            b'<row r="999999999"><c r="A999999999" t="inlineStr"><is><t>2125550134</t></is></c></row>'
            b"</sheetData></worksheet>"
        )

    path = rewrite_member(small_workbook(), tmp_path / "far.xlsx", "xl/worksheets/sheet1.xml", sheet())
    run = run_measured(cli_env, tmp_path / "dialdesk.db", "leads", "import", str(path), timeout=60)
    assert_clean_refusal(run, "far.xlsx")


def test_dnc_zip_member_without_a_line_break(cli_env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "registry.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        with archive.open("212.txt", "w", force_zip64=True) as member:
            block = b"2125550134" * 100_000
            for _ in range(400):  # 400 MB of digits, not one line break
                member.write(block)
    db = tmp_path / "dialdesk.db"
    run = run_measured(cli_env, db, "dnc", "import", str(path), "--as-of", "2026-11-01")
    assert_clean_refusal(run, "212.txt", "longer than")
    # Nothing written: a database made only for the failed command is not even left behind.
    assert not db.exists() or query(db, "SELECT count(*) FROM registry_numbers") == [(0,)]


def test_csv_without_a_line_break(cli_env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    with path.open("wb") as handle:
        handle.write(b"First Name,Phone,Notes\nAnn,2125550134,")
        for _ in range(300):
            handle.write(b"x" * 1_000_000)
    run = run_measured(cli_env, tmp_path / "dialdesk.db", "leads", "import", str(path))
    assert_clean_refusal(run, "list.csv")


def alias_bomb(levels: int = 9, fan_out: int = 10) -> str:
    lines = ["format: 1", "name: bomb", 'title: "Bomb"', "start: open"]
    lines.append(f"description: &l0 [{', '.join(['lol'] * fan_out)}]")
    for level in range(1, levels):
        lines.append(f"hint{level}: &l{level} [{', '.join([f'*l{level - 1}'] * fan_out)}]")
    lines += ["stages:", "  - id: open", "    kind: opening", f"    say: *l{levels - 1}"]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("command", ["validate", "import"])
def test_yaml_alias_fan_out(cli_env: dict[str, str], tmp_path: Path, command: str) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(alias_bomb(), encoding="utf-8")
    assert path.stat().st_size < 4_000
    run = run_measured(cli_env, tmp_path / "dialdesk.db", "scripts", command, str(path))
    assert not run.timed_out and run.peak_mb < MEMORY_BUDGET_MB
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "aliases" in run.stderr


def test_huge_yaml_file_is_not_read_whole(cli_env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("name: huge\ntitle: Huge\nnotes: |\n")
        for _ in range(100):
            handle.write(("  " + "y" * 1000 + "\n") * 1000)  # 100 MB
    run = run_measured(cli_env, tmp_path / "dialdesk.db", "scripts", "validate", str(path))
    assert_clean_refusal(run, "huge.yaml", "larger than")
    assert run.peak_mb < 100 + 60, "the file must not be read whole"


def test_one_lead_repeated_with_distinct_long_notes(cli_env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("First Name,Last Name,Phone,Notes\n")
        for row in range(1000):
            note = f"{row:06d} " + "n" * 99_000
            handle.write(f"Ann,Lee,(212) 555-0134,{note}\n")
    db = tmp_path / "dialdesk.db"
    # Linear work finishes in seconds; the old quadratic merge took minutes for this file.
    run = run_measured(cli_env, db, "leads", "import", str(path), "--json", timeout=90)
    assert not run.timed_out and run.peak_mb < MEMORY_BUDGET_MB, run.peak_mb
    assert run.returncode == 0, run.stderr[-2000:]
    assert query(db, "SELECT count(*) FROM leads") == [(1,)]
    ((notes,),) = query(db, "SELECT notes FROM leads")
    assert len(notes) <= 100_000
    assert "longer than 10000 characters" in run.stdout and "not added" in run.stdout
