"""JSON Schema (draft-07) for every file kind, for editors (VS Code YAML).

``site-builder schema --out schema`` writes ``schema/<kind>.schema.json``;
``.vscode/settings.json`` maps them to the project's files, so an office
clerk gets completion, hover help (in Chinese) and red squiggles while typing.

The schemas come from the same pydantic models ``site-builder check`` uses,
then this module turns pydantic's output into plain draft-07:

- ``$defs`` becomes ``definitions`` and *every* ``#/$defs/…`` reference is
  rewritten (including the ``discriminator`` mapping of the rule union);
- a ``$ref`` with sibling keywords (ignored by draft-07 readers) is wrapped
  in ``allOf`` so the description next to it still shows;
- every object and every key carries a Chinese description (English class
  docstrings written for developers are replaced; keys the models leave
  undocumented get one from :data:`_PROPS`), and pydantic's English per-key
  titles are dropped, so hovering a key shows the Chinese text only;
- cross-field rules that JSON Schema can express are added: a rule's
  ``kind`` is required, ``select`` takes exactly one of top/bottom/share/
  quota, ``basis`` and ``source`` have their ``composite:<id>``-style forms, map
  keys that are ids (units, lines, external data) must look like ids;
- an id written as a bare number (``- 2017``) is accepted, as the loader
  accepts it;
- a period file's facts accept the shorthands (a bare number or word, ``na``,
  a bare list of events) next to the full mapping.

The schema is a typing aid, not the judge: things it cannot see (quoting,
``1e3`` versus ``1000``, cross-file references, sums) are left to
``site-builder check``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema

from site_builder.schema.calendar import CalendarFile
from site_builder.schema.scheme import Scheme
from site_builder.schema.scores import ScoresFile
from site_builder.schema.site import Site
from site_builder.schema.types import _ID
from site_builder.schema.units import UnitsFile
from site_builder.scoring.facts import Facts
from site_builder.scoring.rules import RULES

DRAFT7 = "http://json-schema.org/draft-07/schema#"

KINDS: dict[str, tuple[type[BaseModel], str, str]] = {
    "site": (Site, "网站设置 site.yaml", "网站标题、发布机关、界面语言和异议受理联系方式。格式见 docs/formats.md。"),
    "units": (
        UnitsFile,
        "被考核单位名册",
        "units.yaml 或 units/*.yaml：被考核单位的标识、名称、类别、曾用名。格式见 docs/formats.md。",
    ),
    "scheme": (
        Scheme,
        "考核办法（方案）",
        "schemes/<方案标识>/<版本>.yaml：一个方案的一个版本，含指标体系、计分规则、排名和评优办法。"
        "规则类型见 docs/rules.md。",
    ),
    "scores": (
        ScoresFile,
        "考核期记录",
        "scores/<方案标识>/<考核期>.yaml：一个考核期各单位的记录（事实，不是分数）、状态和通报信息。"
        "格式见 docs/formats.md。",
    ),
    "calendar": (
        CalendarFile,
        "工作日日历 calendar.yaml",
        "内置安排（chinese_calendar）之外的年份的法定节假日和调休上班日，用于按工作日计算公示期。"
        "格式见 docs/formats.md 的“工作日日历”。",
    ),
}

#: Chinese description of every object (definition) of every schema.
_DEFS: dict[str, str] = {
    # calendar.yaml
    "CalendarYear": "一年的节假日安排（按国务院办公厅通知）",
    # site.yaml
    "Contact": "异议受理：受理机构和联系方式（将公布，请用办公电话）",
    "Footer": "页脚标识：网站标识码、ICP 备案号、公安机关备案号",
    # units
    "FormerName": "曾用名及其使用截止日期",
    "Retired": "撤销或合并：日期和并入的单位",
    "Unit": "一个被考核单位",
    # scheme
    "Window": "有效期：开始日期（含）和结束日期（含）",
    "Stage": "考核阶段：标识、名称和起止日期",
    "PeriodSpec": "考核周期：周、月、季度、半年、年或按阶段",
    "Rounding": "舍入规则：保留几位小数、舍入方式、在何处舍入（只舍入一次）",
    "Modifier": "按件次的得分系数，如“1件次该项得分减半；2件次以上该项不得分”",
    "FactorStep": "件次达到 min 时，本项得分乘以 factor",
    "Disqualify": "发生即取消评先评优资格（“并取消评先评优资格”）",
    "Indicator": "指标体系中的一个指标（一级指标、二级指标……末级细则）；末级指标写计分规则 rule，上级指标写 children",
    "Tree": "一个指标体系（如部门、乡镇分设不同指标）",
    "Group": "一起排名的一组单位（类别、组别、圈层）",
    "Veto": "一票否决事项及其后果",
    "Coefficient": "单位系数（如难度系数），总分乘以该系数",
    "Selection": "评选办法：top、bottom、share、quota、pool 五者选一（top、bottom、pool 可加 about 表示名额“左右”）",
    "Pool": "几个组别合用的名额（名额池）：名额总数、组别、各组依据的排名、分配方法",
    "Ranking": "一个排名：依据、并列名次的写法、同分时比较的指标",
    "Honour": "按排名评选的表彰（如流动红旗）或处理（如重点整改单位）",
    "CompositePart": "综合排名的一个组成部分及其权重",
    "Composite": "综合排名：由几个排名、综合排名或外部数据加权而成",
    "Conversion": "折算：把本方案得分按比例折算为另一考核中的分值（如“折算计入年度目标考核成绩”）",
    "PersonalData": "个人信息：是否公布人员姓名及依据",
    "Section": "方案正文的一个章节",
    "SchemeChange": "修改旧版本中的一项（extends）：写一个对象的标识（如 indicator: 标识），set 中写出的键替换原值",
    "SchemeRemoval": "删除旧版本中的一项（extends）：写一个对象的标识，如 indicator: 标识（连同下级指标）",
    "SchemeAddition": "新增一项（extends）：写一个对象（如 indicator: {…}），可用 under、before、after 指定位置",
    # rule parameters
    "Range": "酌情分值范围：每次最少 min、最多 max",
    "Rate": "一种计分情形（扣分/加分标准、职级或表彰层级）及每次的分值",
    "Bracket": "分档计分的一档：下限 min（含）、上限 max（含）或 below（不含），以及得分 points",
    "Level": "一个评定等次及其得分",
    # period files
    "NoticeMeta": "通报信息：文号、日期、标题、正文",
    "PublicWindow": "公示期：起止日期和工作日数",
    "VetoRecord": "本期对该单位适用的一票否决事项",
    "PlacesDecision": "名额“左右”的荣誉本期实际评选的名额、决定者和理由",
    "Change": "一处更正：单位、指标、原值和新值",
    "Correction": "更正记录：已发布结果的每一次修改都要登记",
    "UnitEntry": "一个单位本期的记录：各指标的事实、状态、一票否决、系数、备注",
    "Facts": "一个单位一条末级指标本期的事实（不是分数）：由方案中的计分规则换算成得分",
    "Event": "逐次记录的一件事、一名人员或一项表彰",
}

#: Chinese description of keys the models leave undocumented: (definition, key) -> text.
#: The definition "" is the file's top level.
_PROPS: dict[tuple[str, str], str] = {
    ("", "coefficient"): "单位系数（如难度系数）；不写表示没有系数",
    ("", "rankings"): "排名；不写则按本期总分在各组内排名",
    ("", "honours"): "评优评先或整改通报：按排名选出的单位",
    ("", "composites"): "综合排名（几个排名或外部数据加权）",
    ("", "conversions"): "得分折算（折算计入其他考核）",
    ("", "personal_data"): "个人信息的公布（默认不公布姓名）",
    ("Retired", "note"): "说明",
    ("Veto", "id"): "否决事项标识（记录文件中 vetoes 引用它）",
    ("Ranking", "id"): "排名标识（评优 honours 和综合排名引用它）",
    ("Honour", "id"): "评优标识",
    ("Honour", "description"): "评选办法的文字说明（公布）",
    ("CompositePart", "name"): "该部分的名称（公布），如“群众满意度测评”",
    ("Composite", "id"): "综合排名标识（排名 basis 写 composite:<标识> 引用它）",
    ("Composite", "name"): "综合排名名称",
    ("Composite", "parts"): "组成部分及权重",
    ("Conversion", "id"): "折算标识",
    ("Section", "title"): "章节标题",
    ("VetoRecord", "date"): "发生日期",
    ("VetoRecord", "evidence"): "依据（如通报文号）",
    ("Change", "unit"): "单位标识",
}

_ID_SCHEMA = {"type": "string", "pattern": _ID.pattern}
_ID_OR_NUMBER = {"anyOf": [{"type": "string", "pattern": _ID.pattern}, {"type": "integer", "minimum": 0}]}
_ID_PART = _ID.pattern.strip("^$")


class _Draft7(GenerateJsonSchema):
    def generate(self, schema, mode="validation"):
        out = super().generate(schema, mode=mode)
        out["$schema"] = DRAFT7
        return out


def _draft7(node: Any) -> Any:
    """Pydantic writes 2020-12 ``$defs``; draft-07 readers want ``definitions``."""
    if isinstance(node, dict):
        return {("definitions" if k == "$defs" else k): _draft7(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_draft7(x) for x in node]
    if isinstance(node, str) and node.startswith("#/$defs/"):
        return "#/definitions/" + node[len("#/$defs/"):]
    return node


def _wrap_refs(node: Any) -> Any:
    """Draft-07 ignores every sibling of ``$ref``: move the ``$ref`` into ``allOf``."""
    if isinstance(node, dict):
        out = {k: _wrap_refs(v) for k, v in node.items()}
        if "$ref" in out and len(out) > 1:
            out["allOf"] = [{"$ref": out.pop("$ref")}]
        return out
    if isinstance(node, list):
        return [_wrap_refs(x) for x in node]
    return node


def _is_id(node: Any) -> bool:
    return isinstance(node, dict) and {k: v for k, v in node.items() if k != "description"} == _ID_SCHEMA


def _ids_accept_numbers(node: Any) -> Any:
    """``- 2017`` is a valid id for the loader; editors read it as a number."""
    if _is_id(node):
        return {**{k: v for k, v in node.items() if k == "description"}, **_ID_OR_NUMBER}
    if isinstance(node, dict):
        return {k: (v if k == "propertyNames" else _ids_accept_numbers(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [_ids_accept_numbers(x) for x in node]
    return node


def _drop_property_titles(node: Any) -> None:
    if isinstance(node, dict):
        props = node.get("properties")
        if isinstance(props, dict):
            for v in props.values():
                if isinstance(v, dict):
                    v.pop("title", None)
        for v in node.values():
            _drop_property_titles(v)
    elif isinstance(node, list):
        for v in node:
            _drop_property_titles(v)


def _describe(obj: dict, name: str) -> None:
    """Chinese descriptions for one object schema and its keys."""
    if name in _DEFS:
        obj["description"] = _DEFS[name]
    for key, prop in obj.get("properties", {}).items():
        if "description" not in prop and (name, key) in _PROPS:
            prop["description"] = _PROPS[(name, key)]


def _nullable_member(prop: dict) -> dict:
    """The non-null member of ``anyOf: [X, null]`` (or the property itself)."""
    for member in prop.get("anyOf", []):
        if member != {"type": "null"}:
            return member
    return prop


def _scheme_extras(data: dict) -> None:
    defs = data["definitions"]
    rule_defs = {cls.__name__: kind for kind, cls in RULES.items()}
    for name, kind in rule_defs.items():
        d = defs[name]
        d["properties"]["kind"]["description"] = f"计分规则类型：{kind}（见 docs/rules.md）"
        d["required"] = ["kind", *[r for r in d.get("required", []) if r != "kind"]]
    defs["Selection"]["oneOf"] = [{"required": [k]} for k in ("top", "bottom", "share", "quota", "pool")]
    basis = defs["Ranking"]["properties"]["basis"]
    basis["anyOf"] = [
        m if m.get("type") != "string" or "enum" in m else {"type": "string", "pattern": f"^(composite|line):{_ID_PART}$"}
        for m in basis["anyOf"]
    ]
    source = defs["CompositePart"]["properties"]["source"]
    source["pattern"] = f"^((ranking|composite):{_ID_PART}|external:.+)$"


def _extends_extras(data: dict) -> None:
    """A version written as changes (``extends:``) takes the rest from the version it extends:
    the keys a complete scheme must have are required only without ``extends``."""
    required = data.pop("required", [])
    data["if"] = {"required": ["extends"]}
    data["else"] = {"required": required}


def _scores_extras(data: dict) -> None:
    defs = data["definitions"]
    facts = _draft7(Facts.model_json_schema(by_alias=True))
    for k, v in facts.pop("definitions", {}).items():
        defs.setdefault(k, v)
    defs["Facts"] = facts
    entry = defs["UnitEntry"]["properties"]["facts"]
    entry["propertyNames"] = {"pattern": _ID.pattern}
    entry["additionalProperties"] = {
        "anyOf": [
            {"type": "number", "description": "简写：本项规则的主要事实（如评分、数量、百分比）"},
            {"type": "string", "minLength": 1, "description": "简写：na 表示不适用；或等次名称、数值、完成日期"},
            {"type": "boolean", "description": "简写：达到与否（yes_no 规则的 done）"},
            {"type": "array", "items": {"$ref": "#/definitions/Event"}, "description": "简写：逐次记录的事项（events）"},
            {"$ref": "#/definitions/Facts"},
            {"type": "null", "description": "未填写（只有草稿可以留空，发布前必须填写）"},
        ]
    }
    data["properties"]["units"]["propertyNames"] = {"pattern": _ID.pattern}
    external = data["properties"]["external"]
    external["propertyNames"] = {"minLength": 1}
    external["additionalProperties"]["propertyNames"] = {"pattern": _ID.pattern}
    _nullable_member(defs["Facts"]["properties"]["counts"])["propertyNames"] = {"pattern": _ID.pattern}
    _nullable_member(defs["Facts"]["properties"]["ratings"])["propertyNames"] = {"pattern": _ID.pattern}


def schema_for(kind: str) -> dict:
    model, title, description = KINDS[kind]
    data = _draft7(model.model_json_schema(by_alias=True, schema_generator=_Draft7))
    data.setdefault("definitions", {})
    if kind == "scheme":
        _scheme_extras(data)
    if kind == "scores":
        _scores_extras(data)
    if kind == "scheme":
        _extends_extras(data)
    _describe(data, "")
    for name, d in data["definitions"].items():
        _describe(d, name)
    data["title"] = title
    data["description"] = description
    _drop_property_titles(data)
    data = _wrap_refs(_ids_accept_numbers(data))
    if not data["definitions"]:
        del data["definitions"]
    return data


def render(kind: str) -> str:
    """The schema file's exact text (stable: sorted keys, two-space indent)."""
    return json.dumps(schema_for(kind), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_schemas(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for kind in KINDS:
        p = out / f"{kind}.schema.json"
        p.write_text(render(kind), encoding="utf-8", newline="\n")
        paths.append(p)
    return paths


__all__ = ["DRAFT7", "KINDS", "render", "schema_for", "write_schemas"]
