"""Public pages of the documents app: the seal verify page (anyone holding a document checks it)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zhengwu.documents import seal

MAX_UPLOAD = 50 * 1024 * 1024


def verify(request: HttpRequest) -> HttpResponse:
    """Upload the PDF and its seal file (`….pdf.seal.json`): the seal holds, or why it does not."""
    context: dict[str, object] = {}
    if request.method == "POST":
        document = request.FILES.get("document")
        seal_file = request.FILES.get("seal")
        if document is None or seal_file is None:
            context["error"] = "请选择公文版式文件和电子印章文件。"
        elif (document.size or 0) > MAX_UPLOAD or (seal_file.size or 0) > 1024 * 1024:
            context["error"] = "文件过大。"
        else:
            verdict = seal.verify(document.read(), seal_file.read())
            context["verdict"] = verdict
            context["published"] = seal.key_is_published(verdict.seal) if verdict.valid else None
    return render(request, "documents/verify.html", context)
