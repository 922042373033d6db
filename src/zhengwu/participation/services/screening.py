"""Content screening (有害信息过滤, docs/rules.md §17): before a public letter with its reply or a
consultation comment is shown, its text is matched against the e-gov office's word list
(`SensitiveWord`, an Aho–Corasick automaton: `core.screening`). A hit does not publish: the item
is held hidden in the moderation queue (`participation_wb:moderation`) with the words it matched;
the office restores it (恢复) or leaves it hidden. The list's writes are audited.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone

from zhengwu.accounts.models import Role
from zhengwu.audit.write import Write, audited_write
from zhengwu.core.actors import Actor
from zhengwu.core.errors import ApplicationError, required_text
from zhengwu.core.screening import WordMatcher
from zhengwu.participation.audit_actions import ParticipationAction as Action
from zhengwu.participation.errors import ParticipationError
from zhengwu.participation.models import Comment, Letter, SensitiveWord

HELD_PREFIX = "自动筛查命中敏感词，待审核："
_matcher: tuple[tuple[int, int | None], WordMatcher] | None = None


def _list_version() -> tuple[int, int | None]:
    agg = SensitiveWord.objects.aggregate(n=Count("id"), last=Max("id"))
    return int(agg["n"]), agg["last"]


def matcher() -> WordMatcher:
    """The automaton of the current list, rebuilt in this process when the list changed."""
    global _matcher
    version = _list_version()
    if _matcher is None or _matcher[0] != version:
        _matcher = (version, WordMatcher(SensitiveWord.objects.values_list("word", flat=True)))
    return _matcher[1]


def screen(*texts: str) -> list[str]:
    """The listed words found in `texts`."""
    return matcher().find(*texts)


def hold(write: Write, item: Comment | Letter, hits: list[str]) -> None:
    """Keep `item` (about to be shown) hidden for moderation, naming the words it matched."""
    item.screening_hits = hits
    item.hidden_at = timezone.now()
    item.hidden_reason = (HELD_PREFIX + "、".join(hits))[:500]
    write.note(screening_hits=hits)


def _is_office(actor: Actor) -> bool:
    return actor.is_staff and actor.has_role(Role.EGOV_OFFICE)


def sensitive_word_add(*, actor: Actor, word: str, category: str = "") -> SensitiveWord:
    with audited_write(actor, Action.SENSITIVE_WORD_ADD) as write:
        write.require(actor.is_platform or _is_office(actor), "只有电子政务主管可以维护敏感词库。")
        word = required_text(word, field="word", what="敏感词", code=ParticipationError.INVALID_WORD, max_length=50)
        category = (category or "").strip()
        if len(category) > 32:
            raise ApplicationError(ParticipationError.INVALID_WORD, "类别：最多 32 个字符。", {"category": "过长"})
        taken = ParticipationError.INVALID_WORD, f"敏感词“{word}”已在词库中。", {"word": "已存在"}
        if SensitiveWord.objects.filter(word=word).exists():
            raise ApplicationError(*taken)
        try:
            with transaction.atomic():
                entry = SensitiveWord.objects.create(word=word, category=category, created_by=actor.user)
        except IntegrityError:
            raise ApplicationError(*taken) from None
        write.set_target(entry)
        write.note(word=word)
    return entry


def sensitive_word_remove(*, actor: Actor, word: SensitiveWord) -> None:
    with audited_write(actor, Action.SENSITIVE_WORD_REMOVE, word) as write:
        locked = write.lock(word)
        write.require(_is_office(actor), "只有电子政务主管可以维护敏感词库。")
        write.note(word=locked.word)
        locked.delete()
