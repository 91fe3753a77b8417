"""The RouterOS API wire format: word lengths at every encoding boundary, sentences,
tags, traps and queries — the fake router against librouteros and against itself."""

from __future__ import annotations

import io
import socket

import pytest
from librouteros.protocol import decode_length as lib_decode
from librouteros.protocol import encode_length as lib_encode

from netbill.network.fake_routeros import (
    FakeRouterOS,
    ProtocolViolation,
    decode_length,
    encode_length,
    encode_sentence,
    read_sentence,
)
from netbill.network.routeros import RouterOSClient

# (length, its encoding) on both sides of every boundary
BOUNDARIES = [
    (0, b"\x00"),
    (1, b"\x01"),
    (0x7F, b"\x7f"),
    (0x80, b"\x80\x80"),
    (0x3FFF, b"\xbf\xff"),
    (0x4000, b"\xc0\x40\x00"),
    (0x1FFFFF, b"\xdf\xff\xff"),
    (0x200000, b"\xe0\x20\x00\x00"),
    (0xFFFFFFF, b"\xef\xff\xff\xff"),
    (0x10000000, b"\xf0\x10\x00\x00\x00"),
    (0xFFFFFFFF, b"\xf0\xff\xff\xff\xff"),
]


def _reader(data: bytes):
    stream = io.BytesIO(data)
    return stream.read


@pytest.mark.parametrize(("length", "encoded"), BOUNDARIES, ids=lambda v: f"{v!r}")
def test_word_length_encoding_at_each_boundary(length, encoded):
    assert encode_length(length) == encoded
    assert decode_length(_reader(encoded)) == length


@pytest.mark.parametrize(("length", "encoded"), BOUNDARIES[:-2], ids=lambda v: f"{v!r}")
def test_word_lengths_agree_with_librouteros(length, encoded):
    # librouteros stops at 0x10000000 (it rejects the 5-byte form)
    assert lib_encode(length) == encoded
    assert lib_decode(encoded) == length


def test_a_control_byte_is_a_protocol_violation():
    with pytest.raises(ProtocolViolation):
        decode_length(_reader(b"\xf8"))


def test_a_sentence_is_words_ended_by_an_empty_word():
    data = encode_sentence(["/login", "=name=admin"])
    assert data == b"\x06/login\x0b=name=admin\x00"
    assert read_sentence(_reader(data)) == ["/login", "=name=admin"]


@pytest.mark.parametrize("word_length", [0x7F, 0x80, 0x3FFF, 0x4000, 0x1FFFFF, 0x200000])
def test_long_words_cross_the_wire_intact(word_length):
    # given a comment whose "=comment=…" word has exactly word_length bytes
    comment = ("x" * 37 + "আ") * (word_length // 40 + 1)
    prefix = len(b"=comment=")
    raw = comment.encode()[: word_length - prefix]
    comment = raw.decode("utf-8", errors="ignore")
    comment += "y" * (word_length - prefix - len(comment.encode()))
    assert len(("=comment=" + comment).encode()) == word_length
    with (
        FakeRouterOS(password="pw") as fake,
        RouterOSClient("127.0.0.1", "admin", "pw", port=fake.port, timeout=10) as ros,
    ):
        # when it is stored on the router and read back
        item_id = ros.add("/ppp/secret", name="long", password="p", comment=comment)
        rows = ros.print("/ppp/secret", where={".id": item_id})
    # then it comes back byte for byte
    assert rows[0]["comment"] == comment


def _raw_session(fake):
    sock = socket.create_connection(("127.0.0.1", fake.port), timeout=5)
    reader = sock.makefile("rb")

    def send(*words):
        sock.sendall(encode_sentence(words))

    def receive_until_done():
        sentences = []
        while True:
            sentence = read_sentence(reader.read)
            sentences.append(sentence)
            if sentence[0] == "!done":
                return sentences

    return sock, send, receive_until_done


def test_every_reply_carries_the_request_tag_and_a_trap_is_followed_by_done():
    with FakeRouterOS(password="pw") as fake:
        fake.add_item("/ppp/secret", name="a", password="1")
        fake.add_item("/ppp/secret", name="b", password="2")
        sock, send, receive = _raw_session(fake)
        with sock:
            send("/login", "=name=admin", "=password=pw", ".tag=1")
            assert receive() == [["!done", ".tag=1"]]
            send("/ppp/secret/print", "=.proplist=name", ".tag=7")
            assert receive() == [
                ["!re", "=name=a", ".tag=7"],
                ["!re", "=name=b", ".tag=7"],
                ["!done", ".tag=7"],
            ]
            send("/ppp/secret/remove", "=.id=*99", ".tag=8")
            assert receive() == [
                ["!trap", "=category=0", "=message=no such item", ".tag=8"],
                ["!done", ".tag=8"],
            ]
            # the session goes on after a trap
            send("/system/identity/print")
            assert receive() == [["!re", "=name=MikroTik"], ["!done"]]


def test_a_wrong_password_is_refused_like_a_router_does():
    with FakeRouterOS(password="pw") as fake:
        sock, send, receive = _raw_session(fake)
        with sock:
            send("/login", "=name=admin", "=password=nope")
            assert receive() == [
                ["!trap", "=message=invalid user name or password (6)"],
                ["!done"],
            ]
            send("/system/identity/print")
            assert receive() == [["!trap", "=message=not logged in"], ["!done"]]


def test_print_queries_are_evaluated_on_a_stack():
    with (
        FakeRouterOS(password="pw") as fake,
        RouterOSClient("127.0.0.1", "admin", "pw", port=fake.port) as ros,
    ):
        for name, profile in (("a", "p1"), ("b", "p2"), ("c", "p1")):
            fake.add_item("/ppp/secret", name=name, profile=profile, disabled=name == "c")
        names = lambda *words: [  # noqa: E731
            r["name"] for r in ros.run("/ppp/secret/print", "=.proplist=name", *words)[1]
        ]
        assert names("?name=b") == ["b"]
        assert names("?=profile=p1") == ["a", "c"]
        assert names("?profile=p1", "?disabled=no") == ["a"]
        assert names("?name=a", "?name=b", "?#|") == ["a", "b"]
        assert names("?profile=p1", "?#!") == ["b"]
        assert names("?-comment") == ["a", "b", "c"]
        assert ros.run("/ppp/secret/print", "=count-only=", "?profile=p1")[0] == {"ret": "2"}


def test_routeros_7_18_answers_empty_before_done():
    with FakeRouterOS(version="7.18", password="pw") as fake:
        sock, send, receive = _raw_session(fake)
        with sock:
            send("/login", "=name=admin", "=password=pw")
            receive()
            send("/ppp/active/print")
            assert receive() == [["!empty"], ["!done"]]
        with RouterOSClient("127.0.0.1", "admin", "pw", port=fake.port) as ros:
            assert ros.print("/ppp/active") == []
