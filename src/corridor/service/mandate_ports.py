"""The mandates port: which customs brokers may file for which exporters."""

from __future__ import annotations

import abc
from datetime import datetime


class MandateRepository(abc.ABC):
    """Which customs brokers may file for which exporters."""

    @abc.abstractmethod
    def grant(self, broker_id: str, exporter_id: str, at: datetime) -> None: ...

    @abc.abstractmethod
    def exists(self, broker_id: str, exporter_id: str) -> bool: ...
