"""Cross-field and cross-file checks that a schema alone cannot express."""

from __future__ import annotations

from site_builder import messages
from site_builder.errors import Mark, Problems

KNOWN_SHOWN = 30  # a longer list of valid ids is cut with “…”


def unknown_ref(problems: Problems, code: str, mark: Mark, ref: str, known: list[str], what: str, what_en: str,
                names: dict[str, str] | None = None) -> None:
    """Report an id that names nothing, with the valid ids and the closest one; ``names`` (name → id):
    a reference written as the object's name is told the object's id."""
    shown = ", ".join(known[:KNOWN_SHOWN]) + (" …" if len(known) > KNOWN_SHOWN else "")
    named = (names or {}).get(ref)
    hint = ({"suggestion_zh": f"，这是名称，它的标识是“{named}”", "suggestion_en": f"; that is a name: its id is “{named}”"}
            if named else messages.did_you_mean(ref, known, cutoff=0.5))
    problems.add(code, mark, ref=ref, what=what, what_en=what_en, known=shown or "—", **hint)
