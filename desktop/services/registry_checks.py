"""What a registry import must not do, checked before anything is written.

A change list applies only on top of a fresh full copy of every area code it updates (a state
list's whole copy): it says what changed, not what the list is, so it never makes a stale or
missing copy look current. A national registry copy holds only its own country's area codes: a
Toronto number in a file imported as the US National Registry is no US copy of 416.
Each refusal is one line naming the file, raised as `RegistryImportFailed` (the CLI's exit 2).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from desktop.domain.compliance_rules import RuleBook
from desktop.domain.phones import area_code_region
from desktop.domain.registry_coverage import codes_phrase, foreign_area_codes, is_state_list, registry_title
from desktop.services.registry_files import RegistryImportFailed
from desktop.services.registry_reports import RegistryImportReport
from desktop.storage.models import RegistryCoverage


def check_changes_apply(
    report: RegistryImportReport,
    covered: Mapping[int, RegistryCoverage],
    updated: Iterable[int],
    max_age: int,
    today: date,
) -> None:
    """Refuse a change list unless every copy it updates is there, fresh, and no newer than it."""
    name = report.source
    declared = [code for code in report.declared_codes if code not in covered]
    if declared:
        raise RegistryImportFailed(
            f"{report.file_name}: --area-codes {codes_phrase(declared)}: the {name} copy does "
            "not cover them, so a change list cannot bring them up to date: import their full lists"
        )
    codes = sorted(set(updated))
    missing = [code for code in codes if code not in covered]
    if missing:
        raise RegistryImportFailed(
            f"{report.file_name}: a change list applies only on top of a full copy, and the {name} "
            f"copy has no area code {codes_phrase(missing)}: import their full lists first"
        )
    newer = [code for code in codes if covered[code].as_of > report.as_of]
    if newer:
        first = covered[newer[0]].as_of
        raise RegistryImportFailed(
            f"{report.file_name}: this change list (as of {report.as_of}) is older than the "
            f"{name} copy of area code {codes_phrase(newer)} (as of {first}); give its real "
            "date with --as-of"
        )
    # Judged on the later of today and the change list's date: a copy stale by either is stale.
    judged_on = max(today, report.as_of)
    stale = [code for code in codes if (judged_on - covered[code].as_of).days > max_age]
    if stale:
        oldest = min(covered[code].as_of for code in stale)
        what = "copy" if is_state_list(name) else f"copy of area code {codes_phrase(stale)}"
        raise RegistryImportFailed(
            f"{report.file_name}: the {name} {what} (as of {oldest}) is older than {max_age} days, and "
            "a change list never makes a stale copy fresh: import the full list first"
        )


def refuse_foreign(
    file_name: str,
    source: str,
    codes: Iterable[int],
    rules: RuleBook,
    counts: Mapping[int, int] | None = None,
) -> None:
    """Refuse numbers of area codes the national registry `source` does not cover (416 as US)."""
    foreign = foreign_area_codes(source, codes, rules.registries, area_code_region)
    if not foreign:
        return
    regions = sorted(set(foreign.values()))
    owners = sorted({owner for region in regions if (owner := rules.registry_of_region(region))})
    hint = "; import them with " + " or ".join(f"--source {owner}" for owner in owners) if owners else ""
    numbers = f" ({sum(counts.get(code, 0) for code in foreign):,} numbers)" if counts else ""
    raise RegistryImportFailed(
        f"{file_name}: area code {codes_phrase(foreign)}{numbers} belongs to {', '.join(regions)}, "
        f"which the {registry_title(source)} does not cover{hint}; nothing was imported"
    )
