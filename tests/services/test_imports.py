"""Importing call lists: the sample as its README describes, every format, every refusal."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from desktop.domain.columns import guess_mapping
from desktop.services.imports import ImportCancelled, ImportFailed
from desktop.services.workspace import Workspace


def lead_by_name(workspace: Workspace, first: str, last: str) -> dict:
    matches = [
        r for r in workspace.leads.export_records() if (r["first_name"], r["last_name"]) == (first, last)
    ]
    assert len(matches) == 1, f"{first} {last}: {len(matches)} leads"
    return matches[0]


def test_sample_imports_as_its_readme_says(workspace: Workspace, sample_csv: Path) -> None:
    report = workspace.imports.run(sample_csv, list_name="Sample")
    rows = sample_csv.read_text(encoding="utf-8").count("\n") - 1
    assert report.rows == rows
    assert report.merged_duplicates == 1  # Grace Lee's repeated row
    assert report.imported == rows - 1
    rejected = {(r.line, r.column, r.value) for r in report.rejected}
    assert (12, "Phone", "555-0100") in rejected  # Daniel Smith, line 12 of the file
    assert (21, "Phone", "312-555-01") in rejected  # Chris Taylor
    assert any(r.line == 15 and r.value == "not available" for r in report.rejected)  # Tom Harris
    assert all(r.reason for r in report.rejected)

    grace = lead_by_name(workspace, "Grace", "Lee")
    assert [p["e164"] for p in grace["phones"]] == ["+15125550188"]
    assert "duplicate of the row above" in grace["notes"]
    tom = lead_by_name(workspace, "Tom", "Harris")
    assert tom["status"] == "no_dialable_number"
    assert tom["phones"][0]["valid"] is False
    priya = lead_by_name(workspace, "Priya", "Natarajan")
    assert priya["phones"][0] == {
        "e164": "+14155550101",
        "extension": "204",
        "valid": True,
        "raw": "+1 (415) 555-0101 ext. 204",
        "label": "Phone",
    }
    james = lead_by_name(workspace, "James", "O'Neil")
    assert [p["e164"] for p in james["phones"]] == ["+12125550199", "+19175550142"]
    assert lead_by_name(workspace, "Kevin", "Patel")["kind"] == "business"
    assert lead_by_name(workspace, "Анна", "Иванова")["company"] == "ООО Ромашка"
    assert lead_by_name(workspace, "Hans", "Müller")["phones"][0]["e164"] == "+4930901820"


def every_lead_and_phone(workspace: Workspace) -> list[tuple[object, ...]]:
    """Each lead with its phones (numbers and raw texts), in id order: what an import may add to."""
    return [
        (
            record["first_name"],
            record["last_name"],
            record["company"],
            record["status"],
            record["notes"],
            tuple((phone["e164"], phone["raw"], phone["label"]) for phone in record["phones"]),
        )
        for record in workspace.leads.export_records()
    ]


def test_reimport_adds_nothing(workspace: Workspace, sample_csv: Path) -> None:
    first = workspace.imports.run(sample_csv)
    assert first.without_number > 0  # the sample has leads without a dialable number
    after_first = every_lead_and_phone(workspace)

    second = workspace.imports.run(sample_csv)
    third = workspace.imports.run(sample_csv)

    assert (second.imported, third.imported) == (0, 0)
    assert every_lead_and_phone(workspace) == after_first
    james = lead_by_name(workspace, "James", "O'Neil")
    assert [p["e164"] for p in james["phones"]] == ["+12125550199", "+19175550142"]
    tom = lead_by_name(workspace, "Tom", "Harris")
    assert [p["raw"] for p in tom["phones"]] == ["not available"]


def test_reimport_adds_only_what_is_new(workspace: Workspace, tmp_path: Path) -> None:
    base = "First Name,Last Name,Company,Phone,Mobile\n"
    before = write(tmp_path / "a.csv", base + "Ann,Bell,,n/a,\nCarl,Dean,Acme,212-555-0134,\n")
    workspace.imports.run(before)
    after = write(
        tmp_path / "b.csv",
        base + "Ann,Bell,,n/a,917-555-0142\nCarl,Dean,Acme,212-555-0134,917-555-0199\nEve,Fox,,,\n",
    )
    report = workspace.imports.run(after)
    assert report.imported == 1  # Eve Fox, who was not there
    ann = lead_by_name(workspace, "Ann", "Bell")
    assert [(p["e164"], p["raw"]) for p in ann["phones"]] == [(None, "n/a"), ("+19175550142", "917-555-0142")]
    assert ann["status"] == "new"
    carl = lead_by_name(workspace, "Carl", "Dean")
    assert [p["e164"] for p in carl["phones"]] == ["+12125550134", "+19175550199"]


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_semicolon_and_bom(workspace: Workspace, tmp_path: Path) -> None:
    path = write(
        tmp_path / "excel.csv", "\ufeffName;Telefon;Firma\nMaria Lopez;(212) 555-0134;Lopez Dental\n"
    )
    report = workspace.imports.run(path)
    assert report.imported == 1 and not report.rejected
    record = next(iter(workspace.leads.export_records()))
    assert (record["first_name"], record["last_name"], record["company"]) == (
        "Maria",
        "Lopez",
        "Lopez Dental",
    )


def test_windows_1251_is_decoded(workspace: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "ru.csv", "Имя,Фамилия,Телефон\nАнна,Иванова,+7 495 123-45-67\n", "cp1251")
    assert workspace.imports.run(path).imported == 1
    record = next(iter(workspace.leads.export_records()))
    assert (record["first_name"], record["last_name"]) == ("Анна", "Иванова")


def test_latin_1_is_decoded(workspace: Workspace, tmp_path: Path) -> None:
    path = write(
        tmp_path / "de.csv",
        "Vorname,Nachname,Telefon\nHans,Müller,+49 30 901820\nJürgen,Groß,+49 30 901821\n",
        "cp1252",
    )
    assert workspace.imports.run(path).imported == 2
    names = {r["last_name"] for r in workspace.leads.export_records()}
    assert names == {"Müller", "Groß"}


def test_undecidable_encoding_is_refused_not_garbled(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        b"Name,Phone\n" + "Анна".encode("cp1251") + b" M\xfcller,+7 495 123-45-67\n" + b"\x81\x8d\x8f\x90,1\n"
    )
    with pytest.raises(ImportFailed, match="UTF-8"):
        workspace.imports.run(path)
    assert workspace.leads.count() == 0


def test_xlsx_with_numeric_phone_cells(workspace: Workspace, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Company", "Phone", "Type"])
    sheet.append(["Lopez Dental", 2125550134, "business"])
    sheet.append(["Bad Co", "12", "business"])
    path = tmp_path / "list.xlsx"
    book.save(path)
    report = workspace.imports.run(path)
    assert report.imported == 2
    assert [(r.row, r.line, r.column, r.value) for r in report.rejected] == [(3, None, "Phone", "12")]
    phones = {r["company"]: r["phones"][0]["e164"] for r in workspace.leads.export_records()}
    assert phones["Lopez Dental"] == "+12125550134"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"Email,Notes\na@b.c,x\n", "no column is mapped to Phone"),
        (b"Name,Phone\n", "no data rows"),
        (b"Name,Phone,Other\n,,x\n , ,y\n", "no usable rows"),
        (b"\x00\x01\x02binary", "binary"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old excel", ".xls"),
    ],
)
def test_unusable_files_fail_loudly_and_write_nothing(
    workspace: Workspace, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(ImportFailed, match=message):
        workspace.imports.run(path)
    assert workspace.leads.count() == 0


def test_missing_file(workspace: Workspace, tmp_path: Path) -> None:
    with pytest.raises(ImportFailed, match="no such file"):
        workspace.imports.run(tmp_path / "nope.csv")


def test_cancel_rolls_back_everything(workspace: Workspace, tmp_path: Path) -> None:
    lines = ["First Name,Last Name,Phone"] + [f"A{i},B{i},+1 212 555 {i % 10000:04d}" for i in range(3000)]
    path = write(tmp_path / "big.csv", "\n".join(lines) + "\n")
    seen: list[int] = []
    with pytest.raises(ImportCancelled):
        workspace.imports.run(
            path, progress=lambda done, total: seen.append(done), cancelled=lambda: len(seen) >= 3
        )
    assert workspace.leads.count() == 0


def test_progress_reaches_the_end(workspace: Workspace, tmp_path: Path) -> None:
    lines = ["Name,Phone"] + [f"Person {i},+1 212 555 {i:04d}" for i in range(600)]
    path = write(tmp_path / "list.csv", "\n".join(lines) + "\n")
    seen: list[tuple[int, int]] = []
    workspace.imports.run(path, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1][0] == seen[-1][1] == path.stat().st_size


def test_custom_mapping_and_unknown_kind(workspace: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "odd.csv", "col1,col2,col3\nMaria Lopez,212 555 0134,corporate-ish\n")
    mapping = guess_mapping(["col1", "col2", "col3"])
    mapping.fields = ["full_name", "phone", "kind"]
    report = workspace.imports.run(path, mapping=mapping)
    assert report.imported == 1
    assert [(r.column, r.value) for r in report.rejected] == [("col3", "corporate-ish")]
    assert next(iter(workspace.leads.export_records()))["kind"] == "residential"


def test_preview_guesses_mapping(workspace: Workspace, sample_csv: Path) -> None:
    preview = workspace.imports.preview(sample_csv, sample=5)
    assert preview.format == "csv" and preview.delimiter == ","
    assert len(preview.sample_rows) == 5
    assert preview.mapping.columns_for("phone") == [4, 5]
