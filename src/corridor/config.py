"""Settings from the environment (prefix ``CORRIDOR_``); insecure defaults are refused outside development."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

COUNTRIES = ("IN", "RU")
DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024
DEFAULT_GROUP_COMMIT_MAX = 50


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CORRIDOR_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    country: Literal["IN", "RU"] = "IN"
    data_dir: Path = Path("corridor-data")
    db_url: str | None = Field(default=None, description="SQLAlchemy URL; default: SQLite file in data_dir")
    db_schema: str | None = Field(default=None, description="PostgreSQL schema of this node")
    peer_urls: dict[str, str] = Field(
        default_factory=dict, description='e.g. {"RU": "http://127.0.0.1:8002"}'
    )
    peer_api_keys: dict[str, str] = Field(
        default_factory=dict, description="this node's API key at each peer"
    )
    admin_api_key: str | None = Field(default=None, description="bootstrap key of the node's administrator")
    selection_key: SecretStr | None = Field(
        default=None,
        description="secret key of random selection (16-64 bytes); default: made once in the node's data directory",
    )
    relay_interval_s: float = 0.2
    max_body_bytes: int = Field(
        default=DEFAULT_MAX_BODY_BYTES, ge=1, description="largest request body the API takes in (413 above)"
    )
    api_key_cache_s: float = Field(
        default=2.0,
        ge=0,
        le=60,
        description="seconds an API key found in the database is taken as found without looking again "
        "(a revoked key stops working within that time); 0 looks at every request",
    )
    group_commit_max: int = Field(
        default=DEFAULT_GROUP_COMMIT_MAX,
        ge=1,
        le=100,
        description="most filings that arrive together an API process commits in one transaction "
        "(group commit; 1: each filing commits alone)",
    )
    nats_url: str | None = Field(default=None, description="NATS JetStream between nodes instead of HTTP")
    nats_stream: str = "CORRIDOR"
    nats_subject_prefix: str = "corridor"
    metrics_token: SecretStr | None = Field(
        default=None, description="if set, /metrics answers only Authorization: Bearer <token>"
    )
    log_format: Literal["text", "json"] = Field(default="text", description="log as text or JSON lines")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @model_validator(mode="after")
    def _secure_outside_development(self) -> Settings:
        key = self.selection_key_bytes()
        if key is not None and not 16 <= len(key) <= 64:
            raise ValueError("CORRIDOR_SELECTION_KEY must have 16 to 64 bytes")
        if self.env == "production":
            if not self.db_url:
                raise ValueError("CORRIDOR_DB_URL must be set in production (no implicit SQLite file)")
            if not self.admin_api_key or len(self.admin_api_key) < 32:
                raise ValueError("CORRIDOR_ADMIN_API_KEY must be set to at least 32 characters in production")
            if key is not None and len(key) < 32:
                raise ValueError("CORRIDOR_SELECTION_KEY must have at least 32 bytes in production")
            for country, url in self.peer_urls.items():
                if not url.startswith("https://"):
                    raise ValueError(f"CORRIDOR_PEER_URLS[{country}] must use https in production")
        return self

    def selection_key_bytes(self) -> bytes | None:
        return None if self.selection_key is None else self.selection_key.get_secret_value().encode()

    def node_dir(self) -> Path:
        return self.data_dir / self.country

    def database_url(self) -> str:
        if self.db_url:
            return self.db_url
        return f"sqlite:///{self.node_dir() / 'corridor.sqlite'}"
