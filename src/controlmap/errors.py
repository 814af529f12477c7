"""One exception hierarchy; every message is a single line a user can act on."""

from __future__ import annotations


class ControlmapError(Exception):
    """Base class: the command line prints ``str(err)`` and exits non-zero."""


class ValidationError(ControlmapError):
    """Input (a file, a form, a command-line value) is not acceptable."""

    def __init__(self, message: str, *, field: str | None = None, feature: int | None = None):
        self.field = field
        self.feature = feature
        prefix = ""
        if feature is not None:
            prefix += f"feature {feature}: "
        if field is not None:
            prefix += f"{field}: "
        super().__init__(prefix + message)

    def at_feature(self, index: int) -> ValidationError:
        """The same problem, located at feature ``index`` (1-based) of an import."""
        return ValidationError(str(self), feature=index)


class UnknownActor(ValidationError):
    """An actor id or alias that is neither in the registry nor defined by the input."""


class StoreError(ControlmapError):
    """The database could not be opened, upgraded or written."""


class ConflictError(StoreError):
    """Somebody else changed the record since it was read (optimistic locking)."""


class PermissionDenied(ControlmapError):
    """The signed-in user's role does not allow this action (checked on the server side)."""
