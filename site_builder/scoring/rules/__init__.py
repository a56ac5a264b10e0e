"""Rule kinds: one module each, registered by :func:`base.rule_kind`.

Importing this package imports every kind and builds :data:`RuleUnion`, the
discriminated union the scheme schema uses for ``rule:``.
"""

from __future__ import annotations

from typing import Annotated, Union

from pydantic import Field

from site_builder.scoring.rules import (  # noqa: F401  (registration)
    assessed,
    brackets,
    deadline,
    formula_rule,
    group_relative,
    history,
    levels,
    linear_step,
    per_occurrence,
    per_person,
    proportional,
    quota,
    recognition,
    threshold,
    weighted,
    yes_no,
)
from site_builder.scoring.rules.base import RULES, Rule

RuleUnion = Annotated[Union[tuple(RULES.values())], Field(discriminator="kind")]  # type: ignore[valid-type]  # noqa: UP007 (built at run time)

__all__ = ["RULES", "Rule", "RuleUnion"]
