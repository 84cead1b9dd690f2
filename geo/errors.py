"""The few exception classes the library raises, each carrying a message written for the reader."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from geo.validate import ValidationReport


class PanjError(Exception):
    """Base class of every error this library raises on purpose."""


class LayerError(PanjError):
    """A boundary layer file is missing, unreadable or not what the dashboard expects."""


class IncidentDataError(PanjError):
    """An incidents file could not be used; ``report`` lists every problem found."""

    def __init__(self, msg: str, report: ValidationReport | None = None) -> None:
        super().__init__(msg)
        self.report = report


class StoreError(PanjError):
    """The team store (PostgreSQL) is unreachable, not set up, or refused a change.

    The message never carries the connection string: it may hold a password.
    """


class SyncError(PanjError):
    """An outside API (ACLED, UCDP) could not be read, or refused us; nothing was changed.

    The message never carries a credential or a token.
    """
