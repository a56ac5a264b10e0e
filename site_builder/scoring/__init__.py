"""Scoring: how schemes turn assessed data into scores (规则、公式与计分)."""
