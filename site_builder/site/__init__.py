"""The site stage: plan → render → write the published website.

``build.build_site`` is the entry point.  The folders follow the path of the data:

- the stage itself, at the top: :mod:`.build` (check → plan → render → write,
  the progress line, the privacy check of the output), :mod:`.data`
  (:class:`~.data.SiteData`, everything a page may read, gathered once),
  :mod:`.plan` (every output file as a route; page kinds register here),
  :mod:`.paths` and :mod:`.urls` (where each page lives, relative links),
  :mod:`.failures` (errors of the stage), :mod:`.serve` (the clerk's preview),
  :mod:`.render_pool` (rendering in forked workers), :mod:`.shares` (what a
  large site's shares read, made once before they are forked) and
  :mod:`.progress` (the progress bar);
- :mod:`.pages`: the page kinds, one module each (notice, score card, unit,
  scheme document, data dictionary, archive, home, special pages), with their
  helpers (``common``, ``notice_versions``);
- :mod:`.records`: what was published and when: the lock of published notices
  and its archive (:mod:`.records.lock`: file format, reading, fingerprints,
  checks, update), earlier versions rebuilt from the archive, the changes
  between versions (of results: ``changes``; of a notice's document:
  ``noticedoc``, ``notice_changes``), differences between scheme versions,
  the build's version stamp, and ``check`` (``verify``);
- :mod:`.present`: how results read: the text catalogue (``i18n``, kept by
  area in ``catalogue/``), the wording of schemes, rankings and honours,
  tables, charts, level views, why a score card line reads as it does,
  sharing metadata, published figures, Markdown, and the Jinja environment
  with its filters (``render``);
- :mod:`.output`: the files a build writes and what guards them: the atomic
  write and its manifest, assets, the feed, the search index, downloads and
  the open dataset, and the privacy scan (``privacy``, with
  ``personal_numbers``, ``personal_names`` and ``scan_text``).

Dependencies run downwards in that list: pages use records, presentation and
output; nothing in records, presentation or output builds pages.  No module is
over 400 lines (``tests/test_architecture.py``).
"""
