"""The state machines of documents (docs/states.md is generated from them).

Outgoing (发文): a draft (起草) goes to 核稿; a reviewer may send it back for changes; when it has
passed it waits for the signing leader (签发); after signing the clerk checks it (复核): a
substantive change sends it back to the signer, otherwise it is registered (登记: the number),
printed (印制: the sealed rendering) and issued (核发) to every 主送 and 抄送 department.

Incoming (收文): the recipient signs for the delivered document (签收) or returns it (退回) with a
reason; then registers it (登记), checks it (初审, where it may still be returned), a leader
instructs (批办), the handlers handle it (承办), it is finished (办结) and archived (归档).
"""

from __future__ import annotations

from zhengwu.core.states import Move, StateMachine
from zhengwu.documents.errors import DocumentsError
from zhengwu.documents.models import Delivery, Document

_D = Document.State

DOCUMENT = StateMachine(
    "公文",
    Document,
    "state",
    DocumentsError.WRONG_STATE,
    Move("edit", "修改草稿", [_D.DRAFTING], None),
    Move("attach", "增删附件", [_D.DRAFTING], None),
    Move("submit", "送核稿", [_D.DRAFTING], _D.REVIEWING),
    Move("import_signed", "部门 OA 系统报送已签发公文", [_D.DRAFTING], _D.SIGNED),
    Move("review", "核稿", [_D.REVIEWING], None),
    Move("send_back", "退回修改", [_D.REVIEWING], _D.DRAFTING),
    Move("submit_for_signing", "送签发", [_D.REVIEWING], _D.SIGNING),
    Move("countersign", "会签（联合行文的联署机关）", [_D.SIGNING], None),
    Move("sign", "签发", [_D.SIGNING], _D.SIGNED),
    Move("amend", "复核修改（重新签发）", [_D.SIGNED], _D.SIGNING),
    Move("check", "复核", [_D.SIGNED], _D.CHECKED),
    Move("register", "登记", [_D.CHECKED], _D.REGISTERED),
    Move("print", "印制", [_D.REGISTERED], _D.PRINTED),
    Move("issue", "核发", [_D.PRINTED], _D.ISSUED),
    label_field="number",
)

_R = Delivery.State

DELIVERY = StateMachine(
    "收文",
    Delivery,
    "state",
    DocumentsError.WRONG_STATE,
    Move("sign", "签收", [_R.DELIVERED], _R.SIGNED),
    Move("return", "退回", [_R.DELIVERED, _R.REGISTERED], _R.RETURNED),
    Move("register", "登记", [_R.SIGNED], _R.REGISTERED),
    Move("review", "初审", [_R.REGISTERED], _R.REVIEWED),
    Move("instruct", "批办", [_R.REVIEWED], _R.INSTRUCTED),
    Move("assign", "承办", [_R.INSTRUCTED], _R.HANDLING),
    Move("read", "传阅", [_R.SIGNED, _R.REGISTERED, _R.REVIEWED, _R.INSTRUCTED, _R.HANDLING, _R.DONE], None),
    Move("urge", "催办", [_R.DELIVERED, _R.HANDLING], None),
    Move("finish", "办结", [_R.HANDLING], _R.DONE),
    Move("archive", "归档", [_R.DONE], _R.ARCHIVED),
    label_field="number",
)
