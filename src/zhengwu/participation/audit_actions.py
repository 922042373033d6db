"""Audit action names of participation (events already in the chain keep their names)."""

from __future__ import annotations

from zhengwu.audit.write import AuditAction


class ParticipationAction(AuditAction):
    LETTER_SUBMIT = "participation.letter.submit"
    LETTER_ACCEPT = "participation.letter.accept"
    LETTER_REFUSE = "participation.letter.refuse"
    LETTER_DISPATCH = "participation.letter.dispatch"
    LETTER_COMPLETE = "participation.letter.complete"
    LETTER_PUBLISH = "participation.letter.publish"
    LETTER_REOPEN = "participation.letter.reopen"
    LETTER_CALLBACK = "participation.letter.callback"
    LETTER_EXTENSION_REQUEST = "participation.letter.extension_request"
    LETTER_EXTENSION_DECIDE = "participation.letter.extension_decide"
    LETTER_SIGN = "participation.letter.sign"
    LETTER_RETURN = "participation.letter.return"
    LETTER_REPLY = "participation.letter.reply"
    LETTER_RATE = "participation.letter.rate"
    LETTER_RATING_LAPSE = "participation.letter.rating_lapse"
    LETTER_VIEW = "participation.letter.view"
    LETTER_EXPORT = "participation.letter.export"
    CONSULTATION_CREATE = "participation.consultation.create"
    CONSULTATION_PUBLISH = "participation.consultation.publish"
    CONSULTATION_CLOSE = "participation.consultation.close"
    CONSULTATION_PUBLISH_SUMMARY = "participation.consultation.publish_summary"
    COMMENT_CREATE = "participation.comment.create"
    COMMENT_DECIDE = "participation.comment.decide"
    SURVEY_CREATE = "participation.survey.create"
    SURVEY_OPEN = "participation.survey.open"
    SURVEY_CLOSE = "participation.survey.close"
    SURVEY_ANSWER = "participation.survey.answer"
    FLAG_CREATE = "participation.flag.create"
    FLAG_DISMISS = "participation.flag.dismiss"
    CONTENT_HIDE = "participation.content.hide"
    CONTENT_UNHIDE = "participation.content.unhide"
