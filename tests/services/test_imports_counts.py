"""What an import reports about the leads it touched: the leads it added without a number to dial
(why the queue holds fewer), rows that changed leads already there ("merged") and rows that matched
and changed nothing ("unchanged": a file imported again is "nothing new", never "25 merged"). Through
the import service and `dialdesk leads import` (the window: tests/ui/test_import_counts_window.py)."""

from __future__ import annotations

from pathlib import Path

from desktop.services.workspace import Workspace
from tests.cli.test_cli import run


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def statuses(workspace: Workspace) -> list[str]:
    return [record["status"] for record in workspace.leads.export_records()]


def test_leads_without_a_number_are_counted_once_each(workspace: Workspace, sample_csv: Path) -> None:
    report = workspace.imports.run(sample_csv, list_name="Sample")
    assert report.without_number == statuses(workspace).count("no_dialable_number") > 0
    assert workspace.leads.queue_counts().total == report.imported - report.without_number
    # A numberless lead on two rows is one lead without a number.
    twice = write(
        Path(workspace.describe()).parent / "twice.csv",
        "First Name,Last Name,Phone\nAnn,Bell,n/a\nAnn,Bell,n/a\nCora,Dunn,\n",
    )
    again = workspace.imports.run(twice)
    assert (again.imported, again.without_number, again.merged_duplicates) == (2, 2, 1)


def test_the_same_file_again_is_nothing_new(workspace: Workspace, sample_csv: Path) -> None:
    first = workspace.imports.run(sample_csv)
    assert first.merged_duplicates == 1 and first.unchanged == 0  # the file's own repeated row
    second = workspace.imports.run(sample_csv)
    assert (second.imported, second.merged_duplicates, second.without_number) == (0, 0, 0)
    assert second.unchanged == second.rows == first.rows
    assert second.nothing_new and not first.nothing_new
    assert second.to_json()["unchanged"] == second.rows


def test_only_rows_that_change_a_lead_are_merged(workspace: Workspace, tmp_path: Path) -> None:
    header = "First Name,Last Name,Company,Phone,Mobile,Email,Notes\n"
    rows = [
        "Ann,Bell,,212-555-0134,,,",
        "Carl,Dean,Acme,212-555-0135,,,",
        "Dora,Eng,,212-555-0136,,,met at the fair",
        "Eli,Fox,,212-555-0137,,,",
    ]
    workspace.imports.run(write(tmp_path / "a.csv", header + "\n".join(rows) + "\n"))
    changed = [
        "Ann,Bell,,212-555-0134,917-555-0142,,",  # a new number
        "Carl,Dean,Acme,212-555-0135,,carl@example.com,",  # an empty field filled
        "Dora,Eng,,212-555-0136,,,met at the fair",  # the same note: nothing new
        "Eli,Fox,,212-555-0137,,,asked for a call in March",  # a note added
    ]
    report = workspace.imports.run(write(tmp_path / "b.csv", header + "\n".join(changed) + "\n"))
    assert (report.imported, report.merged_duplicates, report.unchanged) == (0, 3, 1)
    assert not report.nothing_new


def test_the_command_line_says_the_same(db_path: Path, sample_csv: Path) -> None:
    first = run(db_path, "leads", "import", str(sample_csv), "--list", "Sample", check=True).stdout
    assert first.startswith("Imported 24 leads into list 'Sample' · 4 have no number to dial")
    assert "(1 merged)" in first
    second = run(db_path, "leads", "import", str(sample_csv), "--list", "Sample", check=True).stdout
    assert second.startswith("Nothing new in list 'Sample': 25 rows matched leads already here, 0 changed.")
