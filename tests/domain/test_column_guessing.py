"""Consent, relationship and state columns under the headers lists really use, and the rule that a
recognised column is never dropped without a word."""

from __future__ import annotations

import pytest

from desktop.domain.columns import do_not_call_flag, guess_field, guess_mapping


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Written Consent Date", "consent_written"),
        ("Date of Written Consent", "consent_written"),
        ("Prior Express Written Consent", "consent_written"),
        ("PEWC Date", "consent_written"),
        ("TCPA Consent", "consent_written"),
        ("Opt-In Date", "consent_written"),
        ("opt_in", "consent_written"),
        ("Consent Given On", "consent_written"),
        ("Permission to Call (date)", "consent_written"),
        # A phone word inside a consent header does not make it a number column.
        ("Phone Consent Date", "consent_written"),
        ("Mobile Opt-In", "consent_written"),
        ("Consent Source", "consent_evidence"),
        ("Consent Evidence URL", "consent_evidence"),
        ("How consent was given", "consent_evidence"),
        ("Last Inquiry Date", "inquiry_date"),
        ("Enquiry Received", "inquiry_date"),
        ("Date of Last Purchase", "purchase_date"),
        ("Purchase Date (last)", "purchase_date"),
        ("Customer Since", "purchase_date"),
        ("State/Region", "state"),
        ("State / Province", "state"),
        ("Province", "state"),
        ("Mailing State", "state"),
        ("Region", "state"),
        ("Home Phone", "phone"),
        ("First Name", "first_name"),
        ("Zip", "postal_code"),
        ("Mailing Zip", "postal_code"),
        ("Postal Code", "postal_code"),
    ],
)
def test_headers_lists_use(header: str, field: str) -> None:
    assert guess_field(header) == field


def test_a_second_column_of_a_field_is_reported_not_silently_dropped() -> None:
    mapping = guess_mapping(["Name", "Phone", "State", "State/Region", "Zip", "Postal Code"])
    assert mapping.fields == ["full_name", "phone", "state", "", "postal_code", ""]
    dropped = mapping.dropped_columns()
    assert len(dropped) == 2
    assert "'State/Region' looks like State too: only 'State' is imported" in dropped[0]
    assert "'Postal Code'" in dropped[1] and "only 'Zip'" in dropped[1]
    assert mapping.ignored_columns() == ["State/Region", "Postal Code"]
    # Once the user maps the column (to something else), it is no longer reported as dropped.
    mapping.fields[3] = "notes"
    assert len(mapping.dropped_columns()) == 1


@pytest.mark.parametrize(
    "header",
    [
        "Consent Revoked Date",
        "Revoked Consent Date",
        "Consent Withdrawn",
        "Written Consent Revoked",
        "No Consent",
        "Consent: No",
        "Verbal Consent Date",
        "Oral Consent",
        "Implied Consent Date",
        "Consent Expired",
        "Consent Status",
        "Cancelled Purchase Date",
        "Refunded Purchase Date",
    ],
)
def test_a_header_that_is_no_written_consent_is_not_read_as_one(header: str) -> None:
    # Read as written consent it would bypass the registries, power dialling and voicemail-drop rules.
    assert guess_field(header) == ""


@pytest.mark.parametrize(
    "header",
    [
        "Do Not Call",
        "DoNotCall",
        "Do not call",
        "DNC",
        "do_not_call",
        "DNC Flag",
        "Phone Opt-Out",
        "No Call",
        "Do Not Call (Y/N)",
        "Do Not Call Date",
    ],
)
def test_a_crm_do_not_call_column_is_recognised(header: str) -> None:
    assert guess_field(header) == "do_not_call"


def test_every_do_not_call_column_is_read_none_dropped() -> None:
    # A second flag column holds a "yes" the first may not: dropping it would let the lead be called.
    mapping = guess_mapping(["Name", "Phone", "DoNotCall", "DNC"])
    assert mapping.columns_for("do_not_call") == [2, 3]
    assert not mapping.dropped and not mapping.problems()


@pytest.mark.parametrize(
    ("cell", "flag"),
    [
        ("true", True),
        ("TRUE", True),
        ("Yes", True),
        ("1", True),
        ("x", True),
        ("X", True),
        ("checked", True),
        ("", False),
        ("  ", False),
        ("false", False),
        ("No", False),
        ("0", False),
        ("unchecked", False),
        # Neither yes nor no: the import treats it as do not call and reports it.
        ("asked 2026-03-01", None),
        ("maybe", None),
    ],
)
def test_do_not_call_cell_values(cell: str, flag: bool | None) -> None:
    assert do_not_call_flag(cell) is flag


@pytest.mark.parametrize(
    "headers",
    [
        ["Name", "Phone", "Consent Date", "Written Consent Date"],
        ["Name", "Phone", "Written Consent Date", "Consent Date"],
        ["Name", "Phone", "Consent", "Opt-In Date", "PEWC Date"],
        ["Name", "Phone", "Opt In", "Consent Given On", "Date of Written Consent"],
    ],
)
def test_a_column_that_says_written_consent_wins_over_a_bare_consent_column(headers: list[str]) -> None:
    """A bare "Consent Date" may date a verbal consent: beside a written one it is never read as written
    consent, whatever the order of the columns, and it is reported as not imported."""
    mapping = guess_mapping(headers)
    written = mapping.columns_for("consent_written")
    assert len(written) == 1
    assert "ritten" in headers[written[0]] or "PEWC" in headers[written[0]]
    assert sorted(mapping.dropped) == [
        index for index, header in enumerate(headers) if index > 1 and index not in written
    ]
    assert all(f"only '{headers[written[0]]}' is imported" in line for line in mapping.dropped_columns())


def test_a_bare_consent_date_alone_still_counts_as_written_consent() -> None:
    assert guess_mapping(["Name", "Phone", "Consent Date"]).columns_for("consent_written") == [2]
