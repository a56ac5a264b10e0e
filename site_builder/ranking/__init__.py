"""Ranking primitives: places with ties (:mod:`.ties`) and choosing units by
place (:mod:`.selection`).  Pure functions on unit ids and Decimal keys; they
know nothing of schemes or YAML (排名与评选的基本运算)."""
