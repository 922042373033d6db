"""Schemas every API router shares: the one error body (docs/design.md rule 3), a row id."""

from __future__ import annotations

from typing import Annotated

from ninja import Field, Schema

from zhengwu.core.pagination import MAX_ROW_ID

# The id of a row named in a query or body: larger numbers than a database key can hold are refused
# as bad input (400) instead of overflowing the database driver.
RowId = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]


class ErrorOut(Schema):
    """`ApplicationError` as the API renders it: a code for machines, a message for people, the fields."""

    code: str
    message: str
    fields: dict[str, str]
