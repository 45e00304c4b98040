"""CSRF tokens are compared in constant time whatever text is posted."""

from __future__ import annotations

from corridor.api.web.pages import same_token


def test_any_posted_text_compares_without_error() -> None:
    assert same_token("abc", "abc")
    assert not same_token("abd", "abc")
    assert not same_token("ключ", "abc")
    assert not same_token("\ud800", "abc")  # a lone surrogate
    assert not same_token("", "abc")
