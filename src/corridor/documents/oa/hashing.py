"""keccak-256 (the Ethereum variant, padding 0x01, not NIST SHA3-256) via pycryptodome.

pycryptodome's ``Crypto.Hash.keccak.new`` costs about 4.5 µs per call, mostly object set-up; a
wrapped certificate has ~60 fields, so the one-shot C entry point of the same library is used when
it is available (pycryptodome >= 3.21 with the cffi backend) and the public API otherwise. Both
are checked against each other in the unit tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from Crypto.Hash import keccak as _keccak


def _keccak256_public(data: bytes) -> bytes:
    return _keccak.new(data=data, digest_bits=256).digest()


def _make_oneshot() -> Callable[[bytes], bytes] | None:
    lib: Any = getattr(_keccak, "_raw_keccak_lib", None)
    oneshot = getattr(lib, "keccak_oneshot", None)
    if oneshot is None:
        return None
    try:
        from Crypto.Util._raw_api import ffi
    except ImportError:
        return None
    if ffi is None:
        return None
    out = ffi.new("uint8_t[32]")
    view = ffi.buffer(out)

    def keccak256_oneshot(data: bytes) -> bytes:
        # capacity 64 bytes (rate 136) and 24 rounds = keccak-256; padding 0x01 = original Keccak.
        if oneshot(data, len(data), out, 32, 64, 24, 1):
            return _keccak256_public(data)
        return bytes(view)

    try:
        if keccak256_oneshot(b"") != _keccak256_public(b""):
            return None
    except Exception:
        return None
    return keccak256_oneshot


_ONESHOT = _make_oneshot()
keccak256: Callable[[bytes], bytes] = _ONESHOT if _ONESHOT is not None else _keccak256_public


def keccak256_hex(data: bytes) -> str:
    return keccak256(data).hex()


def keccak256_text(text: str) -> str:
    """keccak-256 of the UTF-8 bytes of ``text`` as lowercase hex (js-sha3 ``keccak256(string)``)."""
    return keccak256(utf8(text)).hex()


def utf8(text: str) -> bytes:
    """UTF-8 like JavaScript's TextEncoder: a lone surrogate becomes U+FFFD."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _utf8_replace(text)


def _utf8_replace(text: str) -> bytes:
    return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text).encode("utf-8")
