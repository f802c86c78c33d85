"""baresip's ctrl_tcp wire format, byte by byte: netstrings of JSON, reassembled from any reads."""

from __future__ import annotations

import json

import pytest

from desktop.telephony.ctrl_protocol import (
    CtrlEvent,
    CtrlResponse,
    NetstringDecoder,
    ProtocolError,
    encode_command,
    encode_netstring,
    parse_message,
)

RINGING = {
    "event": True,
    "type": "CALL_RINGING",
    "class": "call",
    "accountaor": "sip:alice@127.0.0.1:5099",
    "direction": "outgoing",
    "peeruri": "sip:+12125550134@127.0.0.1:5099;transport=udp",
    "id": "a7cf0fd6d9134363",
    "param": "sip:+12125550134@127.0.0.1:5099;transport=udp",
}
DIAL_OK = {"response": True, "ok": True, "data": "", "token": "dd1"}


def wire(*messages: dict) -> bytes:
    return b"".join(encode_netstring(json.dumps(m).encode()) for m in messages)


def test_one_message_in_one_read() -> None:
    decoder = NetstringDecoder()
    assert decoder.feed(b'11:{"a": "bc"},') == [b'{"a": "bc"}']
    assert decoder.pending == 0


def test_fragmented_reads_byte_by_byte() -> None:
    data = wire(RINGING, DIAL_OK)
    decoder = NetstringDecoder()
    payloads: list[bytes] = []
    for index in range(len(data)):
        payloads += decoder.feed(data[index : index + 1])
    assert [json.loads(p) for p in payloads] == [RINGING, DIAL_OK]
    assert decoder.pending == 0


def test_several_messages_per_read_and_a_split_one() -> None:
    data = wire(DIAL_OK, RINGING, DIAL_OK)
    cut = len(data) - 7
    decoder = NetstringDecoder()
    first = decoder.feed(data[:cut])
    assert [json.loads(p) for p in first] == [DIAL_OK, RINGING]
    assert decoder.pending > 0
    assert [json.loads(p) for p in decoder.feed(data[cut:])] == [DIAL_OK]


def test_split_inside_the_length_prefix() -> None:
    data = wire(RINGING)
    decoder = NetstringDecoder()
    assert decoder.feed(data[:2]) == []
    assert decoder.feed(data[2:]) == [json.dumps(RINGING).encode()]


def test_empty_payload_and_utf8() -> None:
    decoder = NetstringDecoder()
    text = '{"data": "Grüße"}'.encode()
    assert decoder.feed(b"0:," + encode_netstring(text)) == [b"", text]


@pytest.mark.parametrize(
    "data",
    [b"x2:{},", b"12a:", b"03:abc,", b"3:abc;", b"99999999999:", b'{"event": true}'],
)
def test_garbage_is_a_protocol_error(data: bytes) -> None:
    with pytest.raises(ProtocolError):
        NetstringDecoder(max_length=1 << 20).feed(data)


def test_over_long_message_is_refused_before_it_is_buffered() -> None:
    with pytest.raises(ProtocolError, match="longer than"):
        NetstringDecoder(max_length=100).feed(b"101:")


def test_encode_command() -> None:
    raw = encode_command("dial", "sip:+12125550134@127.0.0.1:5099", "dd7")
    decoder = NetstringDecoder()
    (payload,) = decoder.feed(raw)
    assert json.loads(payload) == {
        "command": "dial",
        "params": "sip:+12125550134@127.0.0.1:5099",
        "token": "dd7",
    }
    assert json.loads(NetstringDecoder().feed(encode_command("hangup"))[0]) == {"command": "hangup"}


def test_parse_event_and_response() -> None:
    event = parse_message(json.dumps(RINGING).encode())
    assert isinstance(event, CtrlEvent)
    assert (event.type, event.call_id, event.direction) == ("CALL_RINGING", "a7cf0fd6d9134363", "outgoing")
    assert event.peer_uri.startswith("sip:+12125550134@")
    response = parse_message(b'{"response":true,"ok":false,"data":"Invalid argument","token":"dd2"}')
    assert response == CtrlResponse(ok=False, data="Invalid argument", token="dd2")
    # Events without a call id (CALL_LOCAL_SDP, REGISTER_OK) parse with an empty one.
    local_sdp = parse_message(b'{"event":true,"type":"CALL_LOCAL_SDP","param":"offer"}')
    assert isinstance(local_sdp, CtrlEvent) and local_sdp.call_id == ""


@pytest.mark.parametrize("payload", [b"not json", b"[1, 2]", b'{"hello": 1}'])
def test_parse_refuses_what_is_neither(payload: bytes) -> None:
    with pytest.raises(ProtocolError):
        parse_message(payload)
