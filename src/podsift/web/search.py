"""The search page: ``/search?q=&show=&from=&to=&page=`` finds quotes across every show.

The form is a GET: searching changes nothing, so it needs no CSRF token, and a search can be
bookmarked and shared. What is typed is hostile input like transcript text: the store takes it
literally (:func:`podsift.store.search.search_terms`) and the page shows it escaped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from podsift.exceptions import SearchQueryError
from podsift.store import SearchHit, Store
from podsift.web.render import render

PER_PAGE = 20
MAX_PAGE = 50
"""The deepest page offered: past 1,000 hits, a narrower search serves better."""
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True, slots=True)
class SearchForm:
    """The search as asked: the raw fields (shown back in the form) and their values."""

    q: str
    show: str
    since: str
    until: str
    page: int = 1

    @classmethod
    def of(cls, params: Mapping[str, str]) -> SearchForm:
        """Read the query string; an unreadable page number is the first page."""
        page = params.get("page", "1")
        readable = page.isascii() and page.isdigit() and len(page) <= 4
        return cls(
            q=params.get("q", ""),
            show=params.get("show", "").strip(),
            since=params.get("from", "").strip(),
            until=params.get("to", "").strip(),
            page=min(max(int(page), 1), MAX_PAGE) if readable else 1,
        )

    def show_id(self) -> int | None:
        """The show to search in, or None for all."""
        if not self.show:
            return None
        if not (self.show.isascii() and self.show.isdigit() and len(self.show) <= 9):
            raise SearchQueryError(f"show {self.show[:40]!r}: not a show number")
        return int(self.show)

    def day(self, name: str) -> date | None:
        """The ``from`` or ``to`` date, or None when empty."""
        text = self.since if name == "from" else self.until
        if not text:
            return None
        try:
            if DAY.fullmatch(text):
                return date.fromisoformat(text)
        except ValueError:
            pass
        raise SearchQueryError(f"{name} {text[:40]!r}: not a date (use YYYY-MM-DD)")

    def url(self, page: int) -> str:
        """This search's address at ``page``."""
        fields = {"q": self.q, "show": self.show, "from": self.since, "to": self.until}
        kept = {k: v for k, v in fields.items() if v}
        return "/search?" + urlencode({**kept, **({"page": str(page)} if page > 1 else {})})


def show_options(shows: Sequence[tuple[int, str]]) -> Markup:
    """The show filter's ``<option>`` list, escaped (rendered once, kept with the pages).

    >>> show_options([(3, "<b>A</b>")])
    Markup('<option value="3">&lt;b&gt;A&lt;/b&gt;</option>\\n')
    """
    return Markup("".join(f'<option value="{i}">{escape(name)}</option>\n' for i, name in shows))


def search_page(store: Store, request: Request, options: Markup) -> Response:
    """Answer ``/search``: the form, and the hits of the search when there is one.

    ``options`` is :func:`show_options` of the store's shows. A search the store will not run
    (too long, no word, a bad filter) gets the form again with one line saying why, and
    status 400.
    """
    form = SearchForm.of(request.query_params)
    if form.show.isascii() and form.show.isdigit():
        chosen = f'<option value="{int(form.show)}">'
        options = Markup(str(options).replace(chosen, chosen[:-1] + " selected>", 1))
    if not form.q.strip():
        return _page(form, options, None, title="Search quotes")
    try:
        found = store.search_insights(
            form.q,
            show_id=form.show_id(),
            since=form.day("from"),
            until=form.day("to"),
            limit=PER_PAGE + 1,
            offset=(form.page - 1) * PER_PAGE,
        )
    except SearchQueryError as e:
        return _page(form, options, None, title="Search quotes", message=_sentence(e), status=400)
    more = len(found) > PER_PAGE and form.page < MAX_PAGE
    return _page(form, options, found[:PER_PAGE], title=f"Search: {form.q.strip()}", more=more)


def _page(
    form: SearchForm,
    options: Markup,
    hits: list[SearchHit] | None,
    *,
    title: str,
    message: str | None = None,
    status: int = 200,
    more: bool = False,
) -> Response:
    html = render("search.html", title=title, form=form, options=options, hits=hits,
                  message=message, status=status,
                  previous=form.url(form.page - 1) if form.page > 1 else None,
                  next=form.url(form.page + 1) if more else None)  # fmt: skip
    return HTMLResponse(html, status_code=status)


def _sentence(e: Exception) -> str:
    text = str(e)
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
