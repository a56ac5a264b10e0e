"""Presentation: how results read on a page.

The text catalogue (Chinese first, English second), the wording of rules and
results, tables, charts, level views, why a score card line reads as it does,
sharing metadata, published figures, the Markdown of notice bodies, and the
Jinja environment (``render``) with its filters.
"""
