"""Click-to-call links and the single-instance protocol (no Qt needed), the `.desktop` handler file, and
what the command line says on an unexpected error: one line pointing at the log, which has the rest."""

from __future__ import annotations

import configparser
import subprocess
import textwrap
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.services.instance import (
    LinkError,
    decode_message,
    encode_message,
    number_from_uri,
    server_name,
    split_call_uri,
)
from tests.hardening.conftest import PYTHON, REPO, log_path


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["tel:+12125550134"], ("tel:+12125550134", [])),
        (["--db", "x.db", "tel:+12125550134"], ("tel:+12125550134", ["--db", "x.db"])),
        (["--db", "tel:odd-name.db", "queue"], (None, ["--db", "tel:odd-name.db", "queue"])),
        (["SIP:alice@example.com"], ("SIP:alice@example.com", [])),
        (["callto://+12125550134"], ("callto://+12125550134", [])),
        (["queue", "--limit", "3"], (None, ["queue", "--limit", "3"])),
        (["record", "1", "tel:+1212"], (None, ["record", "1", "tel:+1212"])),
        ([], (None, [])),
    ],
)
def test_a_link_is_taken_out_before_parsing(
    arguments: list[str], expected: tuple[str | None, list[str]]
) -> None:
    assert split_call_uri(arguments) == expected


@pytest.mark.parametrize(
    ("uri", "number"),
    [
        ("tel:+1-212-555-0134", "+1-212-555-0134"),
        ("tel:%2B12125550134", "+12125550134"),
        ("tel:+12125550134;ext=204", "+12125550134 ext. 204"),
        ("tel:2125550134;phone-context=+1", "2125550134"),
        ("callto://+12125550134", "+12125550134"),
        ("callto:+1 212 555 0134", "+1 212 555 0134"),
        ("sip:+12125550134@pbx.example.com;user=phone", "+12125550134"),
        ("sips:2125550134@pbx.example.com:5061", "2125550134"),
        ("sip:2125550134:secret@pbx.example.com", "2125550134"),
    ],
)
def test_numbers_from_links(uri: str, number: str) -> None:
    assert number_from_uri(uri) == number


@pytest.mark.parametrize("uri", ["tel:", "sip:alice@example.com", "mailto:a@b.example", "tel:call-me"])
def test_links_without_a_number(uri: str) -> None:
    with pytest.raises(LinkError):
        number_from_uri(uri)


def test_instance_messages_and_names() -> None:
    data = encode_message("tel:+12125550134", ["--flag"])
    assert data.endswith(b"\n") and decode_message(data) == {"call": "tel:+12125550134", "argv": ["--flag"]}
    assert decode_message(b"garbage") is None
    assert decode_message(b'{"version": 99, "call": null}') is None
    assert decode_message(b'{"version": 1, "call": 5}') is None
    assert decode_message(b"x" * 100_000) is None
    first, second = server_name("sqlite:////home/a/one.db"), server_name("sqlite:////home/a/two.db")
    assert first != second and first == server_name("sqlite:////home/a/one.db")
    assert first.startswith("dialdesk-") and len(first) < 100


def test_a_link_with_a_command_is_refused(capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as stop:
        main(["tel:+12125550134", "queue"])
    assert stop.value.code == 2
    assert "link opens the window" in capsys.readouterr().err


def test_dialdesk_is_registered_as_the_tel_handler() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(REPO / "packaging" / "dialdesk.desktop", encoding="utf-8")
    section = entry["Desktop Entry"]
    assert section["Type"] == "Application"
    assert section["Exec"].split()[0] == "dialdesk" and "%u" in section["Exec"]
    types = set(filter(None, section["MimeType"].split(";")))
    assert {"x-scheme-handler/tel", "x-scheme-handler/callto", "x-scheme-handler/sip"} <= types
    docs = (REPO / "docs" / "data-safety.md").read_text(encoding="utf-8")
    assert "xdg-mime default dialdesk.desktop x-scheme-handler/tel" in docs


CRASH = textwrap.dedent(
    """
    import sys
    import desktop.commands.calls as calls
    from desktop.cli import main

    def broken(workspace, args):
        name, number = "Maria " + "Lopez", "212-555-" + "0134"
        raise RuntimeError(f"queue broke on {name!r} at {number}")

    calls.show_queue = broken
    sys.argv = ["dialdesk", "--db", sys.argv[1], "queue"]
    raise SystemExit(main())
    """
)


def test_an_unexpected_error_is_one_line_pointing_at_the_log(tmp_path: Path, cli_env) -> None:  # type: ignore[no-untyped-def]
    script = tmp_path / "crash.py"
    script.write_text(CRASH, encoding="utf-8")
    done = subprocess.run(
        [PYTHON, str(script), str(tmp_path / "c.db")],
        capture_output=True,
        text=True,
        env=cli_env,
        cwd=REPO,
        timeout=120,
    )
    log = log_path(tmp_path)
    assert done.returncode == 70
    assert done.stderr == f"dialdesk: unexpected error (RuntimeError); the details are in {log}\n"
    text = log.read_text(encoding="utf-8")
    assert (
        "Traceback (most recent call last)" in text and "RuntimeError (message withheld from the log)" in text
    )
    assert "Maria" not in text and "555-0134" not in text
