"""The search page (搜索): ``/search?q=`` for every logged-in user, over the tasks they may see."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required
from markupsafe import Markup, escape

from tracker.search.queries import parse_query, search_page

bp = Blueprint("search", __name__)
SNIPPET_CHARACTERS = 60


def highlighted(text: str, terms: tuple[str, ...], width: int = SNIPPET_CHARACTERS) -> Markup:
    """An escaped excerpt of ``text`` around its first hit, every term marked (``<mark>``); the start of
    the text when no term is in it."""
    folded = text.casefold()
    hits = [folded.find(term.casefold()) for term in terms if term.casefold() in folded]
    start = max(0, min(hits) - width // 3) if hits else 0
    excerpt = text[start:start + width]
    spans: list[tuple[int, int]] = []
    lowered = excerpt.casefold()
    for term in terms:
        position = lowered.find(term.casefold())
        while term and position >= 0:
            spans.append((position, position + len(term)))
            position = lowered.find(term.casefold(), position + len(term))
    out, cursor = [], 0
    for begin, end in sorted(spans):
        if begin < cursor:
            continue
        out.append(escape(excerpt[cursor:begin]))
        out.append(Markup("<mark>") + escape(excerpt[begin:end]) + Markup("</mark>"))
        cursor = end
    out.append(escape(excerpt[cursor:]))
    return Markup("{}{}{}").format("…" if start else "", Markup("").join(out),
                                   "…" if start + width < len(text) else "")


@bp.get("/search")
@login_required
def results():
    query = parse_query(request.args.get("q"))
    page = search_page(current_user, query)
    return render_template("search/results.html", query=query, page=page, highlighted=highlighted)
