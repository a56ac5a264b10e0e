"""The site stage: plan → render → write the published website.

``build.build_site`` is the entry point.  Each stage is one module:
:mod:`.plan` turns the validated project and the engine's results into
routes, :mod:`.render` turns routes into bytes, :mod:`.write` puts the bytes
on disk atomically.  Page kinds live in :mod:`.pages`, one module each.
"""
