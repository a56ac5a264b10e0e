"""Output: the files a build writes and what guards them.

Writing the site atomically (with its manifest), the static assets, the
feed, the search index, the downloads (CSV, XLSX) and the open dataset, and
the privacy scan of every output byte.
"""
