"""Registries of named providers, filled by built-ins and by entry points alike."""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any, Generic, TypeVar

from podsift.exceptions import UnknownProviderError

T = TypeVar("T")
Factory = Callable[..., T]


class Registry(Generic[T]):
    """Providers of one kind, looked up by name.

    >>> r: Registry[str] = Registry("greeter", group="podsift.test")
    >>> _ = r.register("hi")(lambda settings: "hello")
    >>> r.create("hi", None)
    'hello'
    """

    def __init__(self, kind: str, group: str) -> None:
        self.kind = kind
        self.group = group
        self._factories: dict[str, Factory[T]] = {}
        self._loaded = False

    def register(self, name: str) -> Callable[[Factory[T]], Factory[T]]:
        """Register a factory under ``name``; a name may be registered once."""

        def decorate(factory: Factory[T]) -> Factory[T]:
            if name in self._factories:
                raise ValueError(f"{self.kind} '{name}' is already registered")
            self._factories[name] = factory
            return factory

        return decorate

    def unregister(self, name: str) -> None:
        """Remove ``name`` (tests register fakes and remove them afterwards)."""
        self._factories.pop(name, None)

    def names(self) -> list[str]:
        """Return the known provider names, sorted."""
        self.load_entry_points()
        return sorted(self._factories)

    def create(self, name: str, settings: Any) -> T:
        """Build the provider ``name`` from its settings."""
        self.load_entry_points()
        try:
            factory = self._factories[name]
        except KeyError:
            known = ", ".join(self.names()) or "none"
            raise UnknownProviderError(
                f"unknown {self.kind} '{name}' (available: {known})"
            ) from None
        return factory(settings)

    def load_entry_points(self) -> None:
        """Load third-party providers from the ``group`` entry points, once."""
        if self._loaded:
            return
        self._loaded = True
        for ep in entry_points(group=self.group):
            if ep.name not in self._factories:
                self._factories[ep.name] = ep.load()
