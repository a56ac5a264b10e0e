"""What every share of a recycled render would make again, made once by the parent before it forks them.

A large site is rendered by processes forked for one share each (:func:`.render_pool._render_recycled`):
each starts from the parent's memory, so what a share makes and keeps for its pages dies with it, and
the next share makes it again.  Some of it is read by the pages of almost every share: each card reads
its group's median and best of every line (:func:`.card_why.group_line_stats`, kept per process and
period result by :func:`.output.prekeys.line_stats`), and the cards of one share span every period (a
share is a run of ``units/<unit>/<period>/`` paths).  At 10,000 units × 12 periods that is made again by
every share: 20 s of CPU of about 800 s, against 1.5 s made once here (measured with py-spy).  So is
each ranking's index of its entries by unit, which a card's and a unit page's place and pre-key look
up (:func:`.pages.common.first_entries`): 14 s more.
"""

from __future__ import annotations

from site_builder.site.data import SiteData
from site_builder.site.output import prekeys


def before_shares(data: SiteData) -> None:
    """The line statistics of every period's results and the index of the ranking each group's units
    are placed in (its main ranking, or its categories'), kept in this process for the shares it forks."""
    from site_builder.site.pages.common import first_entries

    for result in data.results.values():
        prekeys.line_stats(result)
        for group in sorted({u.group for u in result.units.values()}):
            main = data.main_ranking(result, group)
            for ranking in [main] if main is not None else data.category_rankings(result, group):
                first_entries(ranking)
