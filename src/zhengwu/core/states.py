"""Declared state machines (docs/design.md rule 1).

Each stateful model declares its moves once, in its app's `states.py`:

    APPLICATION_STATES = StateMachine(
        "办件", Application, "state", EservicesError.WRONG_STATE,
        Move("accept", "受理", [Application.State.SUBMITTED], Application.State.PROCESSING),
        ...
    )

and services move through them with `APPLICATION_STATES.move(locked, "accept")`, which refuses an
illegal move with the app's WRONG_STATE code and a message naming the record, its state and the move
(HTTP 409: most often someone else acted first). `docs/states.md` is generated from the
declarations (`python -m zhengwu.core.states docs/states.md`); a test fails when they differ.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from django.db import models

from zhengwu.core.errors import ApplicationError

REGISTRY: list[StateMachine] = []


@dataclass(frozen=True)
class Move:
    """One transition: `name` (a verb in code), `label` (the verb in Chinese), from `sources` to `target`.

    `target=None` means the move keeps the state (an action allowed only in `sources`). `code`, when
    given, is the error code of a refusal of this move instead of the machine's own."""

    name: str
    label: str
    sources: Sequence[str]
    target: str | None
    code: StrEnum | None = None


class StateMachine:
    def __init__(
        self, noun: str, model: type[models.Model], field: str, error_code: StrEnum, *moves: Move, label_field: str = ""
    ) -> None:
        self.noun = noun
        self.model = model
        self.field = field
        self.error_code = error_code
        self.label_field = label_field
        self.moves: dict[str, Move] = {}
        choices = dict(getattr(model._meta.get_field(field), "choices", None) or [])
        for move in moves:
            if move.name in self.moves:
                raise ValueError(f"{model.__name__}: move {move.name!r} declared twice")
            unknown = [s for s in [*move.sources, move.target] if s is not None and s not in choices]
            if unknown:
                raise ValueError(f"{model.__name__}.{field}: unknown states {unknown} in move {move.name!r}")
            self.moves[move.name] = move
        self.choices: dict[str, str] = {str(k): str(v) for k, v in choices.items()}
        REGISTRY.append(self)

    def _move(self, name: str) -> Move:
        try:
            return self.moves[name]
        except KeyError:
            raise ValueError(f"{self.model.__name__} has no move {name!r}") from None

    def can(self, instance: models.Model, name: str) -> bool:
        return getattr(instance, self.field) in self._move(name).sources

    def check(self, instance: models.Model, name: str) -> Move:
        """The move, or the app's WRONG_STATE error when `instance` is not in one of its sources."""
        move = self._move(name)
        state = getattr(instance, self.field)
        if state not in move.sources:
            label = getattr(instance, self.label_field, "") if self.label_field else ""
            shown = f"{self.noun} {label}" if label else self.noun
            raise ApplicationError(
                move.code or self.error_code,
                f"{shown}当前为“{self.choices.get(state, state)}”，不能{move.label}（可能已被他人处理，请刷新）。",
                {self.field: str(state)},
                status=409,
            )
        return move

    def move(self, instance: models.Model, name: str) -> Move:
        """Check the move and set the new state on `instance` (the caller saves it)."""
        move = self.check(instance, name)
        if move.target is not None:
            setattr(instance, self.field, move.target)
        return move

    def sources_of(self, *names: str) -> list[str]:
        """Every state from which one of `names` may be taken (for queries: "what can still be …")."""
        return sorted({s for name in names for s in self._move(name).sources})

    # --- documentation ------------------------------------------------------------------

    def mermaid(self) -> str:
        lines = ["stateDiagram-v2"]
        for state, label in self.choices.items():
            if state:  # the empty state (nothing yet) is drawn as the start, [*]
                lines.append(f"    {state}: {state} {label}")
        for move in self.moves.values():
            for source in move.sources:
                target = source if move.target is None else move.target
                lines.append(f"    {source or '[*]'} --> {target or '[*]'}: {move.label} ({move.name})")
        return "\n".join(lines)


def render_markdown(machines: Iterable[StateMachine]) -> str:
    """docs/states.md: one diagram per declared machine, in app and model order."""
    out = [
        "# State diagrams",
        "",
        "Generated from the `StateMachine` declarations beside the models "
        "(`python -m zhengwu.core.states docs/states.md`); a test fails when this file differs. "
        "A move from a state to itself is an action allowed only in that state.",
        "",
    ]
    for machine in sorted(machines, key=lambda m: (m.model._meta.app_label, m.model.__name__, m.field)):
        meta = machine.model._meta
        out += [f"## {meta.app_label}.{machine.model.__name__}.{machine.field} — {machine.noun}", ""]
        out += ["```mermaid", machine.mermaid(), "```", ""]
    return "\n".join(out)


def all_machines() -> list[StateMachine]:
    """Every machine declared by an installed app (importing each app's models declares them)."""
    from django.apps import apps

    for config in apps.get_app_configs():
        if config.models_module is not None:
            try:
                __import__(f"{config.name}.states")
            except ModuleNotFoundError as error:
                if error.name != f"{config.name}.states":
                    raise
    return list(REGISTRY)


def main(argv: list[str]) -> int:
    import django

    django.setup()
    text = render_markdown(all_machines())
    if len(argv) > 1:
        with open(argv[1], "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":  # pragma: no cover - a developer's command
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengwu.settings")
    # Run as `-m`, this file is `__main__`: the apps' machines register in the imported module.
    from zhengwu.core import states

    sys.exit(states.main(sys.argv))
