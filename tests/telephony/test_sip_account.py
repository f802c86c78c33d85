"""SIP accounts as users type them: parsed, checked, and never showing the password."""

from __future__ import annotations

import pytest

from desktop.telephony.sip_account import SipAccountError, parse_sip_account


def test_the_documented_form() -> None:
    account = parse_sip_account("sip:alice@127.0.0.1:5099;auth_pass=s3cret;regint=0")
    assert (account.user, account.host, account.port, account.regint) == ("alice", "127.0.0.1", 5099, 0)
    assert account.password == "s3cret" and not account.registers and account.is_loopback
    assert account.aor == "sip:alice@127.0.0.1:5099"
    assert account.accounts_line() == "<sip:alice@127.0.0.1:5099>;auth_pass=s3cret;regint=0"
    assert account.dial_uri("+12125550134") == "sip:+12125550134@127.0.0.1:5099"


def test_password_never_shown() -> None:
    account = parse_sip_account("sip:alice@pbx.example.com;auth_pass=Hunter2!")
    assert "Hunter2!" not in repr(account)
    assert "Hunter2!" not in account.redacted()
    assert "auth_pass=***" in account.redacted()
    assert account.scrub("registering with Hunter2! now") == "registering with *** now"
    assert account.registers and not account.is_loopback


def test_baresip_form_with_brackets_and_transport() -> None:
    account = parse_sip_account("<sip:1001@pbx.example.com:5061;transport=tcp>;auth_user=u1001;auth_pass=pw")
    assert (account.transport, account.auth_user, account.port) == ("tcp", "u1001", 5061)
    assert (
        account.accounts_line()
        == "<sip:1001@pbx.example.com:5061;transport=tcp>;auth_user=u1001;auth_pass=pw"
    )
    assert account.dial_uri("+14155550101") == "sip:+14155550101@pbx.example.com:5061;transport=tcp"


def test_scheme_is_optional_and_extra_params_pass_through() -> None:
    account = parse_sip_account("bob@[::1]:5070;auth_pass=x;outbound=sip:proxy.example.com")
    assert account.host == "[::1]" and account.port == 5070 and account.is_loopback
    assert account.extra_params == (("outbound", "sip:proxy.example.com"),)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("sip:127.0.0.1:5060", "user name"),
        ("sip:alice:pw@host", "auth_pass"),
        ("sip:alice@host:99999", "1 to 65535"),
        ("sip:alice@host:abc", "1 to 65535"),
        ("sip:alice@ho st", "host"),
        ("sip:alice@host;transport=carrier-pigeon", "transport"),
        ("sip:alice@host;regint=soon", "regint"),
        ("sip:alice@host;auth_pass=a\nb", "single line"),
        ('sip:alice@host;auth_pass=a"b', "SIP password"),
        ("sip:alice@host;Bad-Param=1", "unknown"),
        ("sip:alice@host;regint=0;regint=60", "twice"),
        ("<sip:alice@host", "'>'"),
        ("sips:alice@host", "sips"),
    ],
)
def test_refusals_say_what_to_fix(text: str, message: str) -> None:
    with pytest.raises(SipAccountError, match=message) as caught:
        parse_sip_account(text)
    assert 'a"b' not in str(caught.value)
