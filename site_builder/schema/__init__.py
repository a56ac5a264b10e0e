"""Declared schemas of every input file kind (pydantic v2 models).

Each field is documented where it is declared, in Chinese, so that the JSON
Schema written by ``site-builder schema`` gives editors the same text.
"""
