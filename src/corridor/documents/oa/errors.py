"""The one error the format layer raises: a list of field errors, never a bare exception."""

from __future__ import annotations

from corridor.shared.errors import FieldError, InvalidInput


class OAFormatError(InvalidInput):
    """A document (raw or wrapped) that does not follow the OpenAttestation v2 format."""

    @classmethod
    def single(cls, path: str, reason: str) -> OAFormatError:
        return cls([FieldError(path, reason)])
