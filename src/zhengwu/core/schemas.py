"""Schemas every API router shares: the one error body (docs/design.md rule 3)."""

from __future__ import annotations

from ninja import Schema


class ErrorOut(Schema):
    """`ApplicationError` as the API renders it: a code for machines, a message for people, the fields."""

    code: str
    message: str
    fields: dict[str, str]
