"""Page kinds, one module each; importing this package registers them all."""

from site_builder.site.pages import (  # noqa: F401  (registration)
    archive,
    data_dictionary,
    home,
    notice,
    scheme_doc,
    scorecard,
    special,
    unit,
)
