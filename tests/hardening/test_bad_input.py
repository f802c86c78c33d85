"""Bad input everywhere gets a report or a clear error, never a crash: phone cells, call lists (random
bytes, huge fields, NUL bytes, mixed encodings, 1,000 columns, damaged workbooks), do-not-call files
and script files. Rejected rows and lines always carry their position."""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.domain.dnc_files import ChangeListParser, FullListParser, line_blocks
from desktop.domain.phones import describe_location, number_states, parse_phone
from desktop.domain.script_format import ScriptFormatError, check_script, load_script
from desktop.services.clock import ManualClock
from desktop.services.imports import ImportFailed, ImportReport
from desktop.services.registry import RegistryImportFailed
from desktop.services.workspace import Workspace, open_workspace
from tests.hardening.conftest import REPO

FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
PHONE_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from("0123456789+-(). /xX#*;=,extEXT\t\x00\u200f\u202e٠١٢٣٤٥٦٧٨٩０１２３４５６７８９"),
        st.characters(),
    ),
    max_size=90,
)
REGIONS = st.one_of(
    st.sampled_from(["US", "us", "GB", "RU", "DE", "CA", "ZZ", "001", "", "USA", "\x00"]), st.text(max_size=4)
)


@pytest.fixture(scope="module")
def fuzz_workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    folder = tmp_path_factory.mktemp("fuzz")
    workspace = open_workspace(
        str(folder / "fuzz.db"), clock=ManualClock(datetime(2026, 12, 1, 18, tzinfo=UTC))
    )
    yield workspace
    workspace.close()


# -- phone cells -------------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(PHONE_TEXT, REGIONS)
def test_parse_phone_never_raises_in_any_region(raw: str, region: str) -> None:
    parsed = parse_phone(raw, region)
    assert parsed.raw == raw
    if parsed.dialable:
        assert parsed.e164 is not None and parsed.e164.startswith("+") and parsed.e164[1:].isdigit()
        assert parsed.problem is None
        number_states(parsed.e164)
        describe_location(parsed.e164)
    else:
        assert parsed.problem


# -- call lists --------------------------------------------------------------------------------------


def import_outcome(workspace: Workspace, path: Path) -> ImportReport | ImportFailed:
    """What an import of `path` gives: a report, or ImportFailed; any other exception fails the test."""
    leads_before = workspace.leads.count()
    try:
        report = workspace.imports.run(path, list_name="fuzz", region="US")
    except ImportFailed as error:
        message = str(error)
        assert message and "\n" not in message and "Traceback" not in message
        assert workspace.leads.count() == leads_before  # nothing written
        return error
    assert report.imported + report.merged_duplicates + report.unchanged >= 1  # a row matched: unchanged
    for rejection in report.rejected:
        assert rejection.line >= 2 and rejection.reason  # line 1 is the header
    return report


CELL = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["(212) 555-0134", "+1 415 555 0101 ext. 204", "555-0100", "=HYPERLINK(1)", '"', "\x00"]),
    st.text(alphabet="0123456789 -()+", max_size=20),
)


@FUZZ
@given(st.binary(max_size=3000))
def test_random_bytes_as_a_call_list(fuzz_workspace: Workspace, tmp_path_factory, data: bytes) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("bytes") / "list.csv"
    path.write_bytes(data)
    import_outcome(fuzz_workspace, path)


@FUZZ
@given(
    st.lists(
        st.sampled_from(
            [
                "Name",
                "First Name",
                "Last Name",
                "Company",
                "Phone",
                "Mobile",
                "Email",
                "Type",
                "State",
                "Notes",
                "",
                "Phone",
            ]
        ),
        min_size=1,
        max_size=8,
    ),
    st.lists(st.lists(CELL, max_size=9), max_size=12),
    st.sampled_from([",", ";", "\t", "|"]),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1251", "cp1252"]),
)
def test_random_tables_as_a_call_list(
    fuzz_workspace: Workspace, tmp_path_factory, headers, rows, delimiter, encoding
) -> None:  # type: ignore[no-untyped-def]
    text = "\n".join(delimiter.join(cells) for cells in [headers, *rows]) + "\n"
    path = tmp_path_factory.mktemp("table") / "list.csv"
    path.write_bytes(text.encode(encoding, errors="replace"))
    import_outcome(fuzz_workspace, path)


def test_odd_but_valid_files_import_with_positions(fuzz_workspace: Workspace, tmp_path: Path) -> None:
    # 1,000 columns, a NUL byte inside a cell, a name of 10,000 characters, a number in Arabic digits.
    headers = ["Name", "Phone"] + [f"Extra {index}" for index in range(998)]
    rows = [
        ["Wide Row", "(212) 555-0134"] + ["x"] * 998,
        ["Nul\x00 Byte", "(415) 555-0101"] + [""] * 998,
        ["L" * 10_000, "(312) 555-0142"] + [""] * 998,
        ["Arabic Digits", "٢١٢٥٥٥٠١٩٩"] + [""] * 998,
        ["No Number", "n/a"] + [""] * 998,
    ]
    path = tmp_path / "wide.csv"
    head = "\n".join(",".join(row) for row in [headers, *rows[:1]]) + "\n"
    rest = "\n".join(",".join(row) for row in rows[1:]) + "\n"
    path.write_bytes(head.encode() + b"\n" * 5000 + rest.encode())  # the NUL is past the sniffed head
    report = import_outcome(fuzz_workspace, path)
    assert isinstance(report, ImportReport)
    assert report.rows == 5
    lines = {rejection.line: rejection.reason for rejection in report.rejected}
    assert any("longer than 200 characters" in reason for reason in lines.values())
    assert any(line > 5000 for line in lines)  # real line numbers, blank lines counted


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"Name,Phone\n" + b'"' + b"x" * 200_000 + b'",2125550134\n', "line 2"),
        (b"Name,Phone\nMaria\x00,2125550134\n", "binary"),
        ("Name,Phone\nМария,2125550134\n".encode() + "Анна,2125550199\n".encode("cp1251") * 30_000, "line"),
        ("Имя,Телефон\nМария,2125550134\n".encode("cp1251") + "Zoë,2125550199\n".encode(), "UTF-8"),
        (b"\xd0\xcf\x11\xe0" + bytes(600), ".xls"),
        (b"Name,Phone\n", "no data rows"),
        (b"Email\nx@y.example\n", "Phone"),
    ],
    ids=[
        "empty",
        "huge-field",
        "nul-bytes",
        "late-encoding-switch",
        "mixed-encodings",
        "old-xls",
        "header-only",
        "no-phone-column",
    ],
)
def test_unreadable_lists_fail_with_one_clear_line(
    fuzz_workspace: Workspace, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    outcome = import_outcome(fuzz_workspace, path)
    assert isinstance(outcome, ImportFailed)
    assert message in str(outcome)


def _workbook_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Name", "Phone"])
    for index in range(30):
        sheet.append([f"Person {index}", f"(212) 555-{index:04d}"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _rewrite(data: bytes, change) -> bytes:  # type: ignore[no-untyped-def]
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            content = change(item.filename, source.read(item.filename))
            if content is not None:
                target.writestr(item, content)
    return buffer.getvalue()


SHEET = "xl/worksheets/sheet1.xml"


@pytest.mark.parametrize(
    "change",
    [
        lambda name, data: data[: len(data) // 2] if name == SHEET else data,
        lambda name, data: None if name == SHEET else data,
        lambda name, data: b"<x" if name == "xl/styles.xml" else data,
        lambda name, data: b"garbage" if name == "xl/workbook.xml" else data,
        lambda name, data: b"<Types/>" if name == "[Content_Types].xml" else data,
    ],
    ids=["cut-sheet", "no-sheet", "bad-styles", "bad-workbook", "bad-content-types"],
)
def test_damaged_workbooks_fail_clearly(fuzz_workspace: Workspace, tmp_path: Path, change) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(_rewrite(_workbook_bytes(), change))
    outcome = import_outcome(fuzz_workspace, path)
    assert isinstance(outcome, ImportFailed) and "damaged.xlsx" in str(outcome)


@FUZZ
@given(st.integers(min_value=0, max_value=2**32), st.floats(min_value=0.0005, max_value=0.05))
def test_workbooks_with_flipped_bytes(
    fuzz_workspace: Workspace, tmp_path_factory, seed: int, rate: float
) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    flip = lambda name, data: bytes(b ^ 0xFF if rng.random() < rate else b for b in data)  # noqa: E731
    path = tmp_path_factory.mktemp("flip") / "flipped.xlsx"
    path.write_bytes(_rewrite(_workbook_bytes(), flip))
    import_outcome(fuzz_workspace, path)


# -- do-not-call files -------------------------------------------------------------------------------


def _feed(parser: FullListParser | ChangeListParser, data: bytes) -> None:
    stream = io.BytesIO(data)
    for block in line_blocks(stream.read, size=64):
        parser.feed(block)
    for problem in parser.problems:
        assert 1 <= problem.line <= parser.lines and problem.reason


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000) | st.text(alphabet='0123456789,ADad-/ \r\n"+', max_size=400).map(str.encode))
def test_dnc_parsers_never_raise_and_place_every_problem(data: bytes) -> None:
    _feed(FullListParser("list.txt"), data)
    _feed(ChangeListParser("changes.txt"), data)


def _zip_with(member: bytes, flags: int = 0, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        archive.writestr("list.txt", member)
    data = bytearray(buffer.getvalue())
    if flags:  # mark the member encrypted, in its local header and in the central directory
        data[data.find(b"PK\x03\x04") + 6] |= flags
        data[data.find(b"PK\x01\x02") + 8] |= flags
    return bytes(data)


def _unsupported_method(data: bytes) -> bytes:
    patched = bytearray(data)
    local, central = patched.find(b"PK\x03\x04"), patched.find(b"PK\x01\x02")
    patched[local + 8 : local + 10] = (99).to_bytes(2, "little")
    patched[central + 10 : central + 12] = (99).to_bytes(2, "little")
    return bytes(patched)


@pytest.mark.parametrize(
    "content",
    [
        _zip_with(b"2125550134\n", flags=1),
        _unsupported_method(_zip_with(b"2125550134\n")),
        _zip_with(b"2125550134\n")[:40],
        b"\x00\xff" * 500,
        b"PK\x03\x04" + bytes(100),
    ],
    ids=["encrypted-zip", "unsupported-compression", "cut-zip", "binary", "zip-header-only"],
)
def test_unreadable_dnc_files_fail_clearly(fuzz_workspace: Workspace, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "registry.zip"
    path.write_bytes(content)
    with pytest.raises(RegistryImportFailed) as failure:
        fuzz_workspace.registry_service.import_file(path, "national", as_of=date(2026, 11, 30))
    assert "\n" not in str(failure.value)


@FUZZ
@given(st.binary(max_size=1500))
def test_random_dnc_files_import_or_fail_clearly(
    fuzz_workspace: Workspace, tmp_path_factory, data: bytes
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("dnc") / "state.txt"
    path.write_bytes(data)
    try:
        report = fuzz_workspace.registry_service.import_file(path, "state:FL", as_of=date(2026, 11, 30))
    except RegistryImportFailed as error:
        assert str(error)
    else:
        assert report.total >= 0
        assert all(problem.line >= 1 for problem in report.rejected)


# -- script files ------------------------------------------------------------------------------------

SHIPPED_SCRIPT = (REPO / "resources" / "scripts" / "question-led-discovery.yaml").read_text(encoding="utf-8")
YAML_TEXT = st.lists(
    st.sampled_from(
        [*"abcdefgh:-_ #&*!|>'\"%@`{}[],?\n\t 0123456789", "stages", "id: ", "format: 1\n", "next"]
    ),
    max_size=120,
).map("".join)


def _check_located(text: str) -> None:
    checked = check_script(text, "fuzz.yaml")
    for problem in checked.problems:
        assert problem.line >= 1 and problem.message
    try:
        load_script(text, "fuzz.yaml")
    except ScriptFormatError as error:
        assert error.problems and all(problem.line >= 1 for problem in error.problems)
        assert str(error).startswith("fuzz.yaml:")


@settings(max_examples=100, deadline=None)
@given(YAML_TEXT)
def test_random_text_as_a_script(text: str) -> None:
    _check_located(text)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=400),
            st.sampled_from(["drop", "dup", "indent", "dedent", "junk"]),
        ),
        max_size=6,
    )
)
def test_damaged_copies_of_a_real_script(edits: list[tuple[int, str]]) -> None:
    lines = SHIPPED_SCRIPT.splitlines()
    for position, edit in edits:
        index = position % max(len(lines), 1)
        if not lines:
            break
        if edit == "drop":
            del lines[index]
        elif edit == "dup":
            lines.insert(index, lines[index])
        elif edit == "indent":
            lines[index] = "   " + lines[index]
        elif edit == "dedent":
            lines[index] = lines[index].lstrip()
        else:
            lines[index] = lines[index] + ": [}"
    _check_located("\n".join(lines))


def test_script_files_that_are_not_text(tmp_path: Path) -> None:
    from desktop.domain.script_format import load_script_file

    path = tmp_path / "binary.yaml"
    path.write_bytes(b"\xff\xfe\x00garbage\x81")
    with pytest.raises(ScriptFormatError) as failure:
        load_script_file(path)
    assert failure.value.problems[0].line == 1
    for text in ("\x00" * 10, "a: b\n" * 2000 + "\x07", "- " * 500, "[" * 700, "&a [*a]"):
        _check_located(text)
