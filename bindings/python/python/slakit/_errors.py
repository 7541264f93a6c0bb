"""The exception classes of slakit.

Every error the engine reports carries a stable code (``E…``, listed in
``docs/errors.md``), a kind and, where known, a location. The native module
raises these classes; which class follows from the error's kind::

    SlakitError(Exception)
    ├── PolicyError(SlakitError, ValueError)   kind "policy": E1xx
    ├── RecordError(SlakitError, ValueError)   kind "input":  E2xx
    ├── UsageError(SlakitError, ValueError)    kind "usage":  E3xx
    └── InternalError(SlakitError)             E900: a bug (a caught panic)
"""

from __future__ import annotations

from typing import Any, Dict, Optional

__all__ = ["SlakitError", "PolicyError", "RecordError", "UsageError", "InternalError"]


class SlakitError(Exception):
    """Base class of every error slakit raises.

    Attributes:
        code: the stable code, e.g. ``"E104"``.
        message: the message, without location (lowercase, user input in backticks).
        kind: ``"policy"``, ``"input"`` or ``"usage"``.
        file: the file name, when the input came from a file.
        line: 1-based line (policy YAML/JSON, JSON Lines records).
        column: 1-based column.
        record_index: 0-based index of the offending record.
        path: JSON pointer of the offending field, e.g. ``"/slas/0/targets/default/max"``.
    """

    code: str
    message: str
    kind: str
    file: Optional[str]
    line: Optional[int]
    column: Optional[int]
    record_index: Optional[int]
    path: Optional[str]

    def __init__(
        self,
        message: str,
        *,
        code: str = "E900",
        kind: str = "usage",
        file: Optional[str] = None,
        line: Optional[int] = None,
        column: Optional[int] = None,
        record_index: Optional[int] = None,
        path: Optional[str] = None,
        text: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.kind = kind
        self.file = file
        self.line = line
        self.column = column
        self.record_index = record_index
        self.path = path
        self._text = text if text is not None else f"{message} [{code}]"

    def __str__(self) -> str:
        return self._text

    @property
    def location(self) -> Dict[str, Any]:
        """The known parts of the location, as in the CLI's JSON error document."""
        parts = {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "record_index": self.record_index,
            "path": self.path,
        }
        return {k: v for k, v in parts.items() if v is not None}

    def to_dict(self) -> Dict[str, Any]:
        """The error as ``slakit evaluate --format json`` prints it:
        ``{"error": {"kind", "code", "message", "location"}}``."""
        return {
            "error": {
                "kind": self.kind,
                "code": self.code,
                "message": self.message,
                "location": self.location,
            }
        }


class PolicyError(SlakitError, ValueError):
    """The policy is invalid (codes ``E1xx``)."""


class RecordError(SlakitError, ValueError):
    """A record, or the record stream, is invalid (codes ``E2xx``)."""


class UsageError(SlakitError, ValueError):
    """The call asked for something impossible: a bad or naive ``as_of``, no
    ``as_of`` and no event to default to, an unreadable file, an unknown
    deployment (codes ``E3xx``)."""


class InternalError(SlakitError):
    """A bug in slakit (code ``E900``): the engine stopped instead of crashing
    the interpreter. Please report it with the inputs that caused it."""
