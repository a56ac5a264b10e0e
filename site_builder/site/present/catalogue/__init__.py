"""The text catalogue of the site's interface, by area: one module per part of the site,
each a ``STRINGS`` dict of key -> (Chinese, English); :mod:`site_builder.site.present.i18n`
merges them.  Add a key next to the related keys of its area."""
