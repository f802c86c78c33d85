"""Parsing registry files: full lists in both layouts, Canada, change lists, and every kind of bad line."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.domain.dnc_files import (
    ADD,
    CHANGES,
    DELETE,
    FULL,
    ChangeListParser,
    ChangeRecord,
    FullListParser,
    LatestChanges,
    detect_kind,
    line_blocks,
    national_number,
    source_name,
)
from tests.conftest import SHARED_DATA

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def sample_registry() -> Path:
    shared = SHARED_DATA / "dnc-national-sample.txt"
    return shared if shared.exists() else FIXTURES / "dnc-national-sample.txt"


def parse_full(data: bytes, block_size: int = 1 << 20, offset: int = 0) -> tuple[FullListParser, list[int]]:
    parser = FullListParser("list.txt", offset=offset)
    numbers: list[int] = []
    for block in line_blocks(io.BytesIO(data).read, block_size):
        numbers.extend(parser.feed(block))
    return parser, numbers


def test_the_shared_sample_reads_whole() -> None:
    parser, numbers = parse_full(sample_registry().read_bytes())
    assert numbers == [2125550199, 3055550166, 6145550111, 2065550172, 4045550100, 4045550101, 8085550199]
    assert parser.problems == [] and parser.lines == 7


def test_bare_ten_digit_layout_and_crlf() -> None:
    parser, numbers = parse_full(b"2125550199\r\n3055550166\r\n6145550111")
    assert numbers == [2125550199, 3055550166, 6145550111]
    assert parser.problems == []


def test_canada_layout() -> None:
    # Canada's National DNCL documents its layout as 416,1234567: the exchange is not checked.
    parser, numbers = parse_full(b"416,1234567\n905,5550123\n")
    assert numbers == [4161234567, 9055550123] and parser.problems == []


def test_bad_lines_are_reported_by_line_with_reasons() -> None:
    data = (
        b"212,5550199\n"  # 1
        b"\n"  # 2 blank: skipped, not reported
        b"hello there\n"  # 3 junk
        b"212,555019\n"  # 4 wrong length
        b"12345\n"  # 5 wrong length
        b"012,5550199\n"  # 6 not NANP
        b"+44 20 7946 0958\n"  # 7 not NANP
        b"212,5550134,A\n"  # 8 a change record
        b"   \n"  # 9 blank
        b" 305,5550166 \n"  # 10 spaces around: fine
        b"+1 (404) 555-0100\n"  # 11 formatted bare number: fine
    )
    parser, numbers = parse_full(data)
    assert numbers == [2125550199, 3055550166, 4045550100]
    reasons = {problem.line: problem.reason for problem in parser.problems}
    assert set(reasons) == {3, 4, 5, 6, 7, 8}
    assert "not a phone number" in reasons[3]
    assert "3 + 6" in reasons[4]
    assert "found 5" in reasons[5]
    assert "area code 012" in reasons[6]
    assert "North American" in reasons[7]
    assert "change record" in reasons[8]
    assert all(problem.file == "list.txt" for problem in parser.problems)
    assert parser.problems[0].value == "hello there"


def test_a_header_is_skipped_but_a_junk_first_line_is_reported() -> None:
    parser, numbers = parse_full(b"AreaCode,PhoneNumber\n212,5550199\n")
    assert numbers == [2125550199] and parser.problems == []
    parser, numbers = parse_full(b"lorem ipsum\n212,5550199\n")
    assert numbers == [2125550199]
    assert [(problem.line, problem.value) for problem in parser.problems] == [(1, "lorem ipsum")]


def test_line_numbers_survive_small_blocks_and_fast_path_fallback() -> None:
    lines = [f"{200 + index % 700},{2000000 + index:07d}" for index in range(5000)]
    lines[3210] = "junk"
    lines[4999] = "999,12"
    parser, numbers = parse_full(("\n".join(lines) + "\n").encode(), block_size=4096)
    assert len(numbers) == 4998
    assert [(problem.line, problem.value) for problem in parser.problems] == [
        (3211, "junk"),
        (5000, "999,12"),
    ]
    assert parser.lines == 5000


def test_offset_is_added_on_both_paths() -> None:
    _parser, numbers = parse_full(b"212,5550199\n2125550100\n", offset=3 * 10**10)
    assert numbers == [32125550199, 32125550100]
    with pytest.raises(ValueError):
        FullListParser("x", offset=5)


@given(st.lists(st.integers(min_value=2_000_000_000, max_value=9_999_999_999), max_size=300))
def test_fast_and_slow_paths_agree(numbers: list[int]) -> None:
    comma = "".join(f"{n // 10**7},{n % 10**7:07d}\n" for n in numbers).encode()
    bare = "".join(f"{n}\n" for n in numbers).encode()
    for data in (comma, bare, comma + b"x\n"):
        parser, parsed = parse_full(data, block_size=256)
        assert parsed == numbers


def change_records(data: bytes) -> tuple[ChangeListParser, list[ChangeRecord]]:
    parser = ChangeListParser("changes.txt")
    records: list[ChangeRecord] = []
    for block in line_blocks(io.BytesIO(data).read):
        records.extend(parser.feed(block))
    return parser, records


def test_change_list_with_header_dates_and_any_field_order() -> None:
    data = (
        b"Phone,Action,Date\n"
        b"212,5550199,A,2026-11-20\n"
        b"D,3055550166,11/21/2026\n"
        b"2026-11-22,deleted,6145550111\n"
        b"ADDITION,4045550199\n"
        b"\n"
    )
    parser, records = change_records(data)
    assert parser.problems == []
    assert [(r.number, r.action, r.on, r.line) for r in records] == [
        (2125550199, ADD, date(2026, 11, 20), 2),
        (3055550166, DELETE, date(2026, 11, 21), 3),
        (6145550111, DELETE, date(2026, 11, 22), 4),
        (4045550199, ADD, None, 5),
    ]


def test_change_list_bad_records() -> None:
    data = (
        b"2125550199,A\n"  # 1 fine
        b"2125550100\n"  # 2 no action
        b"A,212,555010\n"  # 3 wrong length
        b"A,2125550101,2026-02-30\n"  # 4 bad date
        b"A,D,2125550102\n"  # 5 both actions
        b"A,2125550103,3055550100\n"  # 6 two numbers
        b"A,0125550104\n"  # 7 not NANP
        b"A\n"  # 8 no number
    )
    parser, records = change_records(data)
    assert [r.number for r in records] == [2125550199]
    reasons = {problem.line: problem.reason for problem in parser.problems}
    assert set(reasons) == {2, 3, 4, 5, 6, 7, 8}
    assert "no action" in reasons[2]
    assert "found 6" in reasons[3]
    assert "not a real date" in reasons[4]
    assert "both" in reasons[5]
    assert "more than one phone number" in reasons[6]
    assert "area code 012" in reasons[7]
    assert "no phone number" in reasons[8]


def test_latest_changes_keep_one_action_per_number() -> None:
    _parser, records = change_records(
        b"2125550199,A,2026-11-21\n"
        b"2125550199,D,2026-11-20\n"  # older: the addition stands
        b"3055550166,D\n"
        b"3055550166,A\n"  # undated: file order, the later line wins
        b"6145550111,A\n"
    )
    latest = LatestChanges()
    latest.add(records)
    assert latest.split() == ([2125550199, 3055550166, 6145550111], [])
    assert len(latest) == 3


def test_detect_kind() -> None:
    assert detect_kind(b"212,5550199\n305,5550166\n") == FULL
    assert detect_kind(b"\n2125550199\n") == FULL
    assert detect_kind(b"2125550199,A\n") == CHANGES
    assert detect_kind(b"number,action,date\n") == CHANGES
    assert detect_kind(b"") == FULL


def test_line_blocks_give_whole_lines() -> None:
    data = b"a\r\nbb\nccc"
    blocks = list(line_blocks(io.BytesIO(data).read, 2))
    assert b"".join(blocks) == b"a\nbb\nccc\n"
    assert all(block.endswith(b"\n") for block in blocks)


def test_source_names() -> None:
    assert source_name(" National ") == "national"
    assert source_name("state:fl") == "state:FL"
    assert source_name("canada") == "canada"
    for bad in ("state:florida", "state:", "federal", "state:1X"):
        with pytest.raises(ValueError):
            source_name(bad)


def test_national_number_only_for_nanp() -> None:
    assert national_number("+12125550199") == 2125550199
    assert national_number("+442079460958") is None
    assert national_number("+10125550199") is None
    assert national_number("2125550199") is None
    assert national_number("+1212555019") is None
