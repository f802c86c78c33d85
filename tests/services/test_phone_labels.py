"""A phone's label marks it a business landline: set and cleared without losing the rest of it."""

from __future__ import annotations

import pytest

from desktop.services.phone_labels import label_says_landline, landline_label


@pytest.mark.parametrize(
    ("label", "marked", "unmarked"),
    [
        ("Work Phone", "Work Phone landline", "Work Phone"),
        ("", "landline", ""),
        ("Office land-line", "Office land-line", "Office"),
        ("Landline", "Landline", ""),
        ("Main LAND LINE desk", "Main LAND LINE desk", "Main desk"),
    ],
)
def test_marking_and_unmarking_a_landline(label: str, marked: str, unmarked: str) -> None:
    assert landline_label(label, True) == marked and label_says_landline(marked)
    assert landline_label(marked, False) == unmarked and not label_says_landline(unmarked)


@pytest.mark.parametrize(
    "label",
    [
        "Mobile/Landline",
        "Cell or landline",
        "landline/cell",
        "Not a landline",
        "non-landline",
        "Wireless landline",
    ],
)
def test_a_label_that_may_be_a_mobile_is_no_landline(label: str) -> None:
    # An import column named "Mobile/Landline" labels its numbers so: they may be mobiles.
    assert not label_says_landline(label)


@pytest.mark.parametrize(
    "label", ["Landline No.", "Office landline", "Land-line (main)", "Business Landline"]
)
def test_a_landline_label_stays_one(label: str) -> None:
    assert label_says_landline(label)
