"""The office's workflow: commands that start, fill, publish and correct a project.

Each command here edits the project's sources the way a clerk would by hand
(period files, through :mod:`site_builder.workflow.periodfile`), and then
relies on the same checks ``site-builder check`` runs.
"""
