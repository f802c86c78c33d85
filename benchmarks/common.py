"""Helpers shared by the benchmark scripts: generated call lists and timing."""

from __future__ import annotations

import csv
import random
import statistics
from collections.abc import Sequence
from pathlib import Path

AREA_CODES = (
    "212",
    "305",
    "404",
    "415",
    "512",
    "602",
    "614",
    "617",
    "713",
    "773",
    "808",
    "907",
    "206",
    "303",
)
FORMATS = ("({a}) {p}-{s}", "{a}-{p}-{s}", "{a}.{p}.{s}", "+1 {a} {p} {s}", "1-{a}-{p}-{s}", "{a}{p}{s}")


def generate_call_list(path: Path, rows: int, seed: int = 7) -> Path:
    """A CSV shaped like a CRM export: names, company, two phone columns in mixed formats, type."""
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["First Name", "Last Name", "Company", "Title", "Phone", "Mobile", "Email", "Type", "State"]
        )
        for index in range(rows):
            area = rng.choice(AREA_CODES)
            phone = rng.choice(FORMATS).format(a=area, p=f"{rng.randint(200, 999)}", s=f"{index % 10000:04d}")
            mobile = ""
            if index % 3 == 0:
                mobile = rng.choice(FORMATS).format(
                    a=rng.choice(AREA_CODES), p=f"{rng.randint(200, 999)}", s=f"{(index * 7) % 10000:04d}"
                )
            writer.writerow(
                [
                    f"First{index}",
                    f"Last{index}",
                    f"Company {index // 3}",
                    "Owner",
                    phone,
                    mobile,
                    f"p{index}@example.com",
                    "business" if index % 2 else "residential",
                    "NY",
                ]
            )
    return path


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def describe_ms(values: Sequence[float]) -> str:
    return (
        f"median {statistics.median(values) * 1000:.1f} ms, p95 {percentile(values, 0.95) * 1000:.1f} ms, "
        f"n={len(values)}"
    )
