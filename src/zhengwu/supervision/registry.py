"""A registry of callables that apps above supervision hand to it from their `AppConfig.ready()`
(layers: supervision cannot import them). Used by `casechecks` and `scorecards`."""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")


class Registry(dict[str, T]):
    """Callables by name; registering a name again replaces its callable."""

    def __init__(self, register_name: str, kind: str) -> None:
        super().__init__()
        self.register_name = register_name
        self.kind = kind

    def register(self, name: str, item: T) -> None:
        """Register (or replace, by `name`) an app's callable."""
        if not name or not callable(item):
            raise ValueError(f"{self.register_name} needs a name and a callable {self.kind}")
        self[name] = item

    def unregister(self, name: str) -> None:
        """Remove a callable (tests)."""
        self.pop(name, None)

    def registered(self) -> dict[str, T]:
        return dict(self)
