"""FINRA Rule 3230 disclosures: an opening must give the caller's name, the firm's name, a callback number
or address, and the purpose of the call, as placeholders filled from the settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.domain.script_checks import PURPOSE_DISCLOSURE, missing_disclosures
from desktop.domain.script_format import check_script
from desktop.domain.scripts import field_values, render_text

SHIPPED = Path(__file__).resolve().parents[2] / "resources" / "scripts"
BASE = (SHIPPED / "question-led-discovery.yaml").read_text(encoding="utf-8")
SAY = '      - "Hi, this is {agent_name} with {firm}. May I speak with {first_name} {last_name}?"\n'
PURPOSE_START = "    purpose: >-\n"


def with_opening(say: str, purpose: str | None) -> str:
    """The shipped script with its opening's lines replaced (purpose None: no purpose line)."""
    start = BASE.index(PURPOSE_START)
    end = BASE.index("    hint:", start)
    text = BASE[:start] + (f"    purpose: {purpose!r}\n" if purpose is not None else "") + BASE[end:]
    return text.replace(SAY, f"      - {say!r}\n", 1)


def finra_warnings(text: str) -> list[str]:
    checked = check_script(text, "s.yaml")
    assert checked.script is not None, checked.problems
    return [str(p) for p in checked.problems if "FINRA Rule 3230" in str(p)]


@pytest.mark.parametrize("path", sorted(SHIPPED.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_script_discloses_what_finra_3230_requires(path: Path) -> None:
    checked = check_script(path.read_text(encoding="utf-8"), str(path))
    assert checked.script is not None
    assert missing_disclosures(checked.script) == ()
    assert not [p for p in checked.problems if "FINRA" in str(p)]


@pytest.mark.parametrize(
    ("say", "purpose", "missing"),
    [
        ("Hi, this is {agent_name} with {firm}, {callback_number}.", None, [PURPOSE_DISCLOSURE]),
        ("Hi, this is Alex with {firm}. Call {callback_number}.", "A sales call.", ["caller's name"]),
        ("Hi, this is {agent_name} with Harbor. Call {callback_number}.", "A sales call.", ["firm's name"]),
        ("Hi, this is {agent_name} with {firm}.", "A sales call.", ["callback number or address"]),
        ("Hello.", "", ["caller's name", "firm's name", "callback number or address", PURPOSE_DISCLOSURE]),
    ],
)
def test_the_report_names_each_missing_disclosure(say: str, purpose: str | None, missing: list[str]) -> None:
    text = with_opening(say, purpose)
    [warning] = finra_warnings(text)
    assert "stages[opening]" in warning
    for what in missing:
        assert what in warning
    checked = check_script(text)
    assert checked.script is not None and len(missing_disclosures(checked.script)) == len(missing)


@pytest.mark.parametrize(
    "say",
    [
        "This is {agent_name} with {firm_name}; we are at {firm_address}.",
        "This is {agent_name} with {firm}; call me on {callback_number}.",
    ],
)
def test_any_of_the_alternatives_satisfies_a_disclosure(say: str) -> None:
    assert finra_warnings(with_opening(say, "I'm calling to offer our services.")) == []


def test_the_purpose_line_is_read_out_with_the_settings_filled_in() -> None:
    text = with_opening(
        "Hi, this is {agent_name} with {firm}.", "A sales call; reach us at {callback_number}."
    )
    checked = check_script(text)
    assert checked.script is not None
    opening = checked.script.stage("opening")
    values = field_values(agent_name="Alex", firm="Harbor Advisors", callback_number="+1 212 555 0100")
    assert [render_text(line, values) for line in opening.say] == [
        "Hi, this is Alex with Harbor Advisors.",
        "A sales call; reach us at +1 212 555 0100.",
    ]
    unset = field_values(agent_name="Alex", firm="Harbor Advisors")
    assert render_text(opening.say[-1], unset) == "A sales call; reach us at «callback number?»."
