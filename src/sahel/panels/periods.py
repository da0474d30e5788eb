"""The before/after period rule, used by ``analyse before-after`` and by claims alike.

An event dated to the day that falls on the 1st starts its own month: the post-period begins
with it. Otherwise — an event mid-month, or one known only to the month (which may be any day of
it) — the event month is a *transition*, left out of both periods, and the post-period begins
with the next month. Before this rule was written once, claims treated a month-precision event
as if it began its month, and the two disagreed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd


@dataclass(frozen=True)
class Design:
    """Months of a before/after design around an event (pandas monthly Periods)."""

    event_month: pd.Period
    transition: pd.Period | None
    post_start: pd.Period
    pre_start: pd.Period
    post_end: pd.Period
    history_start: pd.Period

    @classmethod
    def around(cls, day: date, precision: str, window: int) -> Design:
        """``window`` months before and after; the history (for placebos) reaches 3 windows
        back."""
        m0 = pd.Period(day, "M")
        clean = precision == "day" and day.day == 1
        post = m0 if clean else m0 + 1
        return cls(m0, None if clean else m0, post, m0 - window, post + window - 1,
                   m0 - 3 * window)

    def pre_months(self) -> pd.PeriodIndex:
        return pd.period_range(self.pre_start, self.event_month - 1, freq="M")

    def post_months(self) -> pd.PeriodIndex:
        return pd.period_range(self.post_start, self.post_end, freq="M")
