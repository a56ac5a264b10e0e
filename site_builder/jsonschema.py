"""JSON Schema (draft-07) for every file kind, for editors (VS Code YAML)."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema

from site_builder.schema.scheme import Scheme
from site_builder.schema.scores import ScoresFile
from site_builder.schema.site import Site
from site_builder.schema.units import UnitsFile
from site_builder.scoring.facts import Facts

KINDS: dict[str, tuple[type[BaseModel], str]] = {
    "site": (Site, "网站设置 site.yaml"),
    "units": (UnitsFile, "被考核单位名册"),
    "scheme": (Scheme, "考核办法（方案）"),
    "scores": (ScoresFile, "考核期记录"),
}


class _Draft7(GenerateJsonSchema):
    def generate(self, schema, mode="validation"):
        out = super().generate(schema, mode=mode)
        out["$schema"] = "http://json-schema.org/draft-07/schema#"
        return out


def _draft7(node):
    """Pydantic writes 2020-12 ``$defs``; draft-07 readers want ``definitions``."""
    if isinstance(node, dict):
        return {("definitions" if k == "$defs" else k): _draft7(v) for k, v in node.items()} | (
            {"$ref": node["$ref"].replace("#/$defs/", "#/definitions/")} if "$ref" in node else {}
        )
    if isinstance(node, list):
        return [_draft7(x) for x in node]
    return node


def schema_for(kind: str) -> dict:
    model, title = KINDS[kind]
    data = model.model_json_schema(by_alias=True, schema_generator=_Draft7)
    data = _draft7(data)
    data["title"] = title
    if kind == "scores":
        # facts per line: a shorthand scalar or a Facts mapping
        facts = _draft7(Facts.model_json_schema(by_alias=True))
        defs = data.setdefault("definitions", {})
        for k, v in facts.pop("definitions", {}).items():
            defs.setdefault(k, v)
        defs["Facts"] = facts
        entry = defs["UnitEntry"]["properties"]["facts"]
        entry["additionalProperties"] = {
            "anyOf": [{"type": ["string", "number"]}, {"type": "array"}, {"$ref": "#/definitions/Facts"}]
        }
    return data


def write_schemas(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for kind in KINDS:
        p = out / f"{kind}.schema.json"
        p.write_text(json.dumps(schema_for(kind), ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        paths.append(p)
    return paths
