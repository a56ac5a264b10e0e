"""What changed between two versions of a notice's document (:mod:`.noticedoc`), item by
item in the order a reader meets them, and how each change reads on a page and in a
refusal (``项目: 旧 → 新``): labels, shown values, figures.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


# ------------------------------------------------------------------ differences


def comparable(items: Mapping[str, str], corrections: int = 0) -> dict[str, str]:
    """``items`` without the correction records after the first ``corrections``.

    A correction recorded since a version was locked is what allows the next
    version, not a change of that version; the records a version already
    showed must not change.
    """
    out = {}
    for k, v in items.items():
        if k.startswith("correction."):
            n = k.split(".")[1]
            if not n.isdigit() or int(n) > corrections:
                continue
        out[k] = v
    return out

_SECTIONS = (
    "notice.", "contact.", "period.", "correction.", "unit.", "honour.", "group.", "scheme."
)


def _order(key: str) -> tuple:
    rank = next((i for i, p in enumerate(_SECTIONS) if key.startswith(p)), len(_SECTIONS))
    parts = tuple(int(p) if p.isdigit() else 0 for p in key.split("."))
    return (rank, key.split(".")[:2], parts, key)


@dataclass(frozen=True)
class ItemChange:
    key: str
    old: str | None
    new: str | None


def differences(old: Mapping[str, str], new: Mapping[str, str]) -> list[ItemChange]:
    """Every item whose text differs, in reading order (notice, units, scheme)."""
    keys = sorted(set(old) | set(new), key=_order)
    return [ItemChange(k, old.get(k), new.get(k)) for k in keys if old.get(k) != new.get(k)]


def first_line_change(old: str | None, new: str | None) -> tuple[str | None, str | None]:
    """The first line where two texts differ (for a body: the line, not the whole text)."""
    a, b = (old or "").split("\n"), (new or "").split("\n")
    for x, y in zip(a, b, strict=False):
        if x != y:
            return x, y
    if len(a) > len(b):
        return a[len(b)], None
    if len(b) > len(a):
        return None, b[len(a)]
    return old, new


def short(value: str | None, limit: int = 40) -> str | None:
    if value is None:
        return None
    value = value.replace("\n", " ")
    return value if len(value) <= limit else value[: limit - 1] + "…"


def describe(
    changes: list[ItemChange],
    locale: str,
    limit: int = 5,
    old_items: Mapping[str, str] | None = None,
    new_items: Mapping[str, str] | None = None,
) -> str:
    """``label key: old → new; …`` for a message (the first ``limit`` items).

    The label is the item as a reader names it (文号, 县财政局 “…” 说明); the key
    follows it so the office can find the item in the archived document.
    """
    none = "(none)" if locale == "en" else "（无）"
    out = []
    for c in changes[:limit]:
        old, new = (
            first_line_change(c.old, c.new) if c.key == "notice.body" else (c.old, c.new)
        )
        name = label(c.key, old_items or {}, new_items or {}, locale)
        where = c.key if name == c.key else f"{name} {c.key}"
        out.append(f"{where}: {short(shown(c.key, old, locale)) or none} → {short(shown(c.key, new, locale)) or none}")
    rest = len(changes) - limit
    sep = "; " if locale == "en" else "；"
    text = sep.join(out)
    if rest > 0:
        text += f"{sep}and {rest} more" if locale == "en" else f"{sep}等另外 {rest} 项"
    return text


# ------------------------------------------------------------------ labels for pages

_FIELDS = {
    "notice.number": ("文号", "Document number"),
    "notice.title": ("标题", "Title"),
    "notice.date": ("发布日期", "Date"),
    "notice.index_number": ("索引号", "Index number"),
    "notice.addressee": ("主送", "Addressed to"),
    "notice.issuer": ("发布机关", "Issued by"),
    "notice.body": ("正文", "Text"),
    "notice.stage": ("类型", "Kind"),
    "notice.window.from": ("公示开始日期", "Public notice from"),
    "notice.window.until": ("公示截止日期", "Public notice until"),
    "notice.window.working_days": ("公示工作日数", "Working days of the public notice"),
    "contact.office": ("异议受理机构", "Objections to"),
    "contact.phone": ("联系电话", "Phone"),
    "contact.email": ("电子邮箱", "Email"),
    "contact.address": ("通信地址", "Address"),
    "period.name": ("考核期", "Period"),
    "scheme.title": ("考核办法", "Scheme"),
    "scheme.total": ("满分", "Maximum"),
    "scheme.coefficient.label": ("系数名称", "Coefficient"),
}
_LAST = {
    "name": ("名称", "name"),
    "group": ("组别", "group"),
    "clause": ("考核内容", "clause"),
    "max": ("分值", "maximum"),
    "type": ("类型", "type"),
    "office": ("责任科室", "office"),
    "rater": ("评分单位", "rater"),
    "source": ("数据来源", "source"),
    "kind": ("类别", "kind"),
    "description": ("说明", "description"),
    "note": ("说明", "note"),
    "evidence": ("佐证材料", "evidence"),
    "date": ("日期", "date"),
    "text": ("事项", "item"),
    "person": ("人员", "person"),
    "count": ("次数", "count"),
    "points": ("分值", "points"),
    "reason": ("理由", "reason"),
    "units": ("名单", "list"),
    "streak": ("连续期数", "streak"),
    "clip": ("封顶说明", "cap"),
    "disqualify": ("取消评先", "disqualifies"),
    "cumulative": ("累计得分", "running total"),
    "pending": ("评定时间", "when decided"),
    "stage_total": ("阶段得分", "stage total"),
    "median": ("中位数", "median"),
}
_VALUES = {
    "public_notice": ("公示", "public notice"),
    "published": ("通报", "notice"),
    "honour": ("表彰", "honour"),
    "sanction": ("整改", "sanction"),
}

#: Items the computed change list of a correction already shows (figures, places, honours).
FIGURE_SUFFIXES = (
    ".points", ".total", ".status", ".reason", ".coefficient", ".place", ".value",
    ".unranked", ".raw", ".clip", ".disqualified", ".cumulative", ".stage_total", ".median",
    ".max_total",
)


def is_figure(key: str) -> bool:
    """Items a correction's own record or its computed change list already shows."""
    if key.startswith("correction."):
        return True
    if key.startswith("scheme."):
        return False
    if key.startswith("unit.") and key.count(".") == 2 and key.endswith(".note"):
        return True
    if ".veto." in key:  # a veto gained or lost is a figure; its reason and date are text
        return False
    if key.startswith("honour.") and (key.endswith(".units") or ".excluded." in key or ".streak." in key):
        return True
    return key.endswith(FIGURE_SUFFIXES) and ".event." not in key


def label(key: str, old: Mapping[str, str], new: Mapping[str, str], locale: str) -> str:
    """The item as a reader would name it: 县财政局 “重点工作推进” 第 1 项记录 说明."""
    en = locale == "en"
    pick = 1 if en else 0
    if key in _FIELDS:
        return _FIELDS[key][pick]

    def name(k: str) -> str | None:
        return new.get(k) or old.get(k)

    parts = key.split(".")
    last = _LAST.get(parts[-1], (parts[-1], parts[-1]))[pick]
    q = ("“", "”") if not en else ("“", "”")
    if parts[0] == "unit" and len(parts) >= 3:
        unit = name(f"unit.{parts[1]}.name") or parts[1]
        rest = parts[2:]
        if rest[0] == "line" and len(rest) >= 3:
            line = name(f"scheme.line.{rest[1]}.name") or rest[1]
            if rest[2] == "event" and len(rest) >= 5:
                item = f"item {rest[3]}" if en else f"第 {rest[3]} 项记录"
                return f"{unit} {q[0]}{line}{q[1]} {item} {last}"
            return f"{unit} {q[0]}{line}{q[1]} {last}"
        if rest[0] == "veto" and len(rest) >= 3:
            veto = name(f"scheme.veto.{rest[1]}.name") or rest[1]
            return f"{unit} {'veto' if en else '一票否决'}{q[0]}{veto}{q[1]} {last}"
        field = {"name": ("单位名称", "name"), "group": ("组别", "group")}.get(rest[0])
        return f"{unit} {field[pick] if field else last}"
    if parts[0] == "scheme" and len(parts) >= 4:
        kind = {"line": ("指标", "indicator"), "group": ("组别", "group"),
                "ranking": ("排名", "ranking"), "veto": ("一票否决事项", "veto"),
                "tree": ("指标体系", "indicator set")}.get(parts[1], (parts[1], parts[1]))
        thing = name(".".join(parts[:3]) + ".name") or parts[2]
        return f"{kind[pick]} {q[0]}{thing}{q[1]} {last}"
    if parts[0] == "honour" and len(parts) >= 3:
        honour = name(f"honour.{parts[1]}.name") or parts[1]
        return f"{q[0]}{honour}{q[1]} {last}"
    return key


def shown(key: str, value: str | None, locale: str) -> str | None:
    if value is None:
        return None
    if key in ("notice.stage",) or key.endswith(".kind"):
        pair = _VALUES.get(value)
        if pair:
            return pair[1 if locale == "en" else 0]
    return value
