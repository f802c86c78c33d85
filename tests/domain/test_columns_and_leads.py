"""Header guessing, names, lead kinds, identities and the persistence counter."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.domain.columns import guess_mapping
from desktop.domain.leads import (
    LeadIdentity,
    _fold,
    attempt_label,
    parse_kind,
    persistence_nudge,
    split_full_name,
)
from desktop.domain.outcomes import OUTCOME_CODES, parse_outcome_rules
from desktop.paths import resource


def test_guess_sample_headers() -> None:
    headers = [
        "First Name",
        "Last Name",
        "Company",
        "Title",
        "Phone",
        "Mobile",
        "Email",
        "Type",
        "State",
        "Source",
        "Notes",
    ]
    mapping = guess_mapping(headers)
    assert mapping.fields == [
        "first_name",
        "last_name",
        "company",
        "title",
        "phone",
        "phone",
        "email",
        "kind",
        "state",
        "source",
        "notes",
    ]
    assert mapping.problems() == []


def test_guess_other_spellings() -> None:
    mapping = guess_mapping(["Full Name", "Organisation", "Work Phone", "Cell", "E-mail", "Lead Type", "x"])
    assert mapping.fields == ["full_name", "company", "phone", "phone", "email", "kind", ""]
    russian = guess_mapping(["Имя", "Фамилия", "Телефон", "Компания"])
    assert russian.fields == ["first_name", "last_name", "phone", "company"]


def test_mapping_problems_name_what_is_missing() -> None:
    problems = guess_mapping(["Email", "Notes"]).problems()
    assert "no column is mapped to Phone" in problems
    assert "no column is mapped to a name or a company" in problems


def test_split_full_name() -> None:
    assert split_full_name("Maria Lopez") == ("Maria", "Lopez")
    assert split_full_name("Lopez, Maria") == ("Maria", "Lopez")
    assert split_full_name("Cher") == ("Cher", "")


def test_parse_kind() -> None:
    assert parse_kind("Business") == "business"
    assert parse_kind(" B2C ") == "residential"
    assert parse_kind("maybe") is None


def test_identity_same_person_or_company() -> None:
    a = LeadIdentity.of("Grace", "Lee", "Lee Pharmacy")
    assert a.same_as(LeadIdentity.of("grace", "LEE", ""))
    assert not a.same_as(LeadIdentity.of("Tom", "Lee", "Lee Pharmacy"))
    assert LeadIdentity.of("", "", "Müller GmbH").same_as(LeadIdentity.of("", "", "MULLER GMBH"))


def test_attempt_label_and_nudge() -> None:
    assert attempt_label(0, 18) == "Attempt 1 of 18"
    assert attempt_label(4, 18) == "Attempt 5 of 18"
    assert "target 18 reached" in attempt_label(18, 18)
    assert persistence_nudge(3, 18) is None
    nudge = persistence_nudge(4, 18)
    assert nudge is not None and "give up after 4" in nudge


def test_shipped_outcome_rules_cover_every_code_with_keys() -> None:
    rules = parse_outcome_rules(resource("rules", "outcomes.toml").read_text(encoding="utf-8"))
    assert [rule.code for rule in rules] == list(OUTCOME_CODES)
    assert [rule.key for rule in rules] == ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"]
    assert rules.get("do_not_call").adds_to_dnc and rules.get("do_not_call").terminal
    assert rules.get("callback").needs_time and not rules.get("callback").terminal
    assert rules.by_key("3") is rules.get("voicemail")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=40))
def test_ascii_names_fold_as_the_general_rule_folds_them(text: str) -> None:
    """The quick ASCII path of name folding agrees with casefold + NFKD + alphanumerics only."""
    general = "".join(ch for ch in unicodedata.normalize("NFKD", text.casefold()) if ch.isalnum())
    assert _fold(text) == general
