"""Settings from the environment; production refuses insecure defaults."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from corridor.config import Settings


def test_development_defaults_to_an_embedded_sqlite_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORRIDOR_COUNTRY", "RU")
    settings = Settings()
    assert settings.env == "development"
    assert settings.database_url().startswith("sqlite:///") and settings.database_url().endswith(
        "RU/corridor.sqlite"
    )


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORRIDOR_PEER_URLS", '{"RU": "http://127.0.0.1:8002"}')
    monkeypatch.setenv("CORRIDOR_DB_URL", "postgresql://postgres@127.0.0.1/test")
    settings = Settings()
    assert settings.peer_urls == {"RU": "http://127.0.0.1:8002"}
    assert settings.database_url() == "postgresql://postgres@127.0.0.1/test"


def test_the_body_limit_defaults_to_2_mib_and_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().max_body_bytes == 2 * 1024 * 1024
    monkeypatch.setenv("CORRIDOR_MAX_BODY_BYTES", "65536")
    assert Settings().max_body_bytes == 65536
    monkeypatch.setenv("CORRIDOR_MAX_BODY_BYTES", "0")
    with pytest.raises(ValidationError, match="max_body_bytes"):
        Settings()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({}, "CORRIDOR_DB_URL"),
        ({"db_url": "postgresql://db/corridor"}, "CORRIDOR_ADMIN_API_KEY"),
        ({"db_url": "postgresql://db/corridor", "admin_api_key": "short"}, "CORRIDOR_ADMIN_API_KEY"),
        (
            {
                "db_url": "postgresql://db/corridor",
                "admin_api_key": "k" * 40,
                "peer_urls": {"RU": "http://ru.example"},
            },
            "https",
        ),
    ],
)
def test_production_refuses_insecure_defaults(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Settings(env="production", **overrides)


def test_production_with_explicit_settings_is_accepted() -> None:
    settings = Settings(
        env="production",
        db_url="postgresql://db/corridor",
        admin_api_key="k" * 40,
        peer_urls={"RU": "https://ru.corridor.example"},
    )
    assert settings.env == "production"


def test_unknown_country_is_refused() -> None:
    with pytest.raises(ValidationError, match="country"):
        Settings(country="CN")
