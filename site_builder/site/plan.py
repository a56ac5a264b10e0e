"""The plan stage: every output file as a :class:`Route`, before anything is rendered.

Page kinds register themselves with :func:`page_kind` (one module each under
:mod:`site_builder.site.pages`), the way Lektor maps sources to build
programs.  :func:`plan_site` asks every kind for its routes and refuses two
routes at one path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from site_builder.site.data import SiteData
from site_builder.site.failures import fail


#: The context of a route that has none of its own (a lazy page's is made when it is rendered, a
#: download has bytes): one read-only mapping shared by all, not an empty dict each.
NO_CONTEXT: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class Crumb:
    title: str
    target: str  # root-relative path


@dataclass(frozen=True)
class PageMeta:
    """What the base template needs to know about every page."""

    path: str  # root-relative output path, e.g. notices/x/2017-q3/index.html
    title: str
    kind: str
    sample: bool = False  # shows sample data: banner on the page
    draft: bool = False  # preview of a draft: watermark
    crumbs: tuple[Crumb, ...] = ()
    description: str = ""
    scripts: tuple[str, ...] = ()  # extra asset names, e.g. ("search",)
    noindex: bool = (
        False  # an earlier, superseded version: kept for the record, not for search engines
    )


@dataclass(frozen=True, slots=True)
class Route:
    """One output file: a template with its context, or ready bytes (downloads, feeds).

    A route may be *lazy*: ``make`` returns its context (template routes) or its
    bytes (``template`` None) when the page is rendered, in whichever worker
    renders it, so that planning holds only paths and the site's memory does not
    grow with its pages.  A lazy download may also name its ``inputs``: a
    function returning everything its bytes are made from, so that an unchanged
    download is recognised (:mod:`.output.reuse`) without making it.  Any lazy
    route may name a ``prekey``: a function returning a few cheap inputs its
    context or bytes are a function of (a period's results, the settings it
    reads), so that a route whose pre-key did not change since the last build is
    linked without even its inputs being made.  Routes may form a *batch* (``batch``: its name
    and a function returning what the pre-key of every route of the batch is a function of, e.g. a
    period's part for the period's score cards): when that did not change since the last build, each
    route of the batch takes the key recorded for it without its own pre-key being made.
    """

    path: str
    kind: str
    template: str | None = None
    context: Mapping[str, Any] = field(default_factory=lambda: NO_CONTEXT)  # (shared: a lazy route has none)
    data: bytes | None = None
    make: Callable[[], Any] | None = None
    inputs: Callable[[], Any] | None = None
    done: Callable[[], None] | None = None  # called once the file is written or kept (frees what it shared)
    prekey: Callable[[], Any] | None = None  # cheap inputs: unchanged, the file is linked unmade
    # (name, what every pre-key of the batch is a function of): unchanged, no pre-key is made
    batch: tuple[str, Callable[[], Any]] | None = None

    def resolved(self) -> "Route":
        """This route with its context or bytes made (a lazy route's ``make`` called once)."""
        if self.make is None:
            return self
        made = self.make()
        if self.template is None:
            return Route(self.path, self.kind, data=made, done=self.done)
        return Route(self.path, self.kind, self.template, made, done=self.done)


class Once:
    """A value shared by the lazy routes of one period or scheme, made the first time one of them
    asks for it, once per process (each forked worker makes its own).  With ``users``, the value is
    dropped when that many routes said they are :meth:`done` with it (in this process), so that a
    build holds the shared values of the pages in hand, not of every page made so far."""

    __slots__ = ("_make", "_value", "_made", "_users")

    def __init__(self, make: Callable[[], Any], users: int | None = None) -> None:
        self._make, self._value, self._made, self._users = make, None, False, users

    def __call__(self) -> Any:
        if not self._made:
            self._value, self._made = self._make(), True
        return self._value

    def done(self) -> None:
        if self._users is not None:
            self._users -= 1
            if self._users <= 0:
                self._value, self._made = None, False


PageKind = Callable[[SiteData], Iterable[Route]]
PAGE_KINDS: dict[str, PageKind] = {}


def page_kind(name: str) -> Callable[[PageKind], PageKind]:
    """Register a function ``SiteData -> routes`` as the page kind ``name``."""

    def register(fn: PageKind) -> PageKind:
        if name in PAGE_KINDS:
            raise RuntimeError(f"page kind {name!r} registered twice")
        PAGE_KINDS[name] = fn
        return fn

    return register


def page(meta: PageMeta, template: str, **context: Any) -> Route:
    return Route(meta.path, meta.kind, template, {"page": meta, **context})


def lazy_page(path: str, kind: str, template: str, make: Callable[[], tuple[PageMeta, dict]],
              prekey: Callable[[], Any] | None = None,
              batch: tuple[str, Callable[[], Any]] | None = None) -> Route:
    """A page whose context is made when it is rendered: ``make`` returns (meta, context);
    ``meta.path`` and ``meta.kind`` must be ``path`` and ``kind``; ``prekey`` and ``batch`` as
    :class:`Route`'s."""

    return Route(path, kind, template, make=_Lazy(path, kind, make), prekey=prekey, batch=batch)


class _Lazy:
    """A lazy page's ``make``: its context, with its :class:`PageMeta` as ``page``.  An object of three
    slots rather than a closure (its function, tuple and cells): a province's site plans 130,000
    routes in the build's process, whose memory every forked worker starts from."""

    __slots__ = ("path", "kind", "make")

    def __init__(self, path: str, kind: str, make: Callable[[], tuple[PageMeta, dict]]) -> None:
        self.path, self.kind, self.make = path, kind, make

    def __call__(self) -> dict:
        meta, ctx = self.make()
        assert (meta.path, meta.kind) == (self.path, self.kind), (meta.path, meta.kind, self.path, self.kind)
        return {"page": meta, **ctx}


def plan_site(data: SiteData) -> list[Route]:
    """All routes of the site, sorted by path; two routes at one path fail the build."""
    from site_builder.site import pages  # noqa: F401  (registers the page kinds)

    seen: dict[str, str] = {}
    routes: list[Route] = []
    for name in sorted(PAGE_KINDS):
        for route in PAGE_KINDS[name](data):
            if route.path in seen:
                fail(
                    "site.duplicate_path",
                    data.locale,
                    path=route.path,
                    first=seen[route.path],
                    second=name,
                )
            seen[route.path] = name
            routes.append(route)
    routes.sort(key=lambda r: r.path)
    return routes
