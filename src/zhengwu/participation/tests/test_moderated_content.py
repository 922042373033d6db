"""`participation.models.ModeratedContent` is abstract: letters and comments keep their own tables,
and both the same moderation columns (docs/rules.md §17)."""

from __future__ import annotations

from django.apps import apps

from zhengwu.participation.models import ModeratedContent


def test_letters_and_comments_share_the_moderation_columns() -> None:
    assert ModeratedContent._meta.abstract
    tables = [model for model in apps.get_models() if issubclass(model, ModeratedContent)]
    assert {model._meta.label for model in tables} >= {"participation.Letter", "participation.Comment"}
    for model in tables:
        assert {f.name for f in model._meta.get_fields()} >= {"hidden_at", "hidden_reason", "screening_hits"}
