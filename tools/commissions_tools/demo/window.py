"""The generation window: `months` calendar months ending with `end_month`, as day numbers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from commissions.periods import format_period, parse_period

SECONDS_PER_DAY = 86_400


def day_number(day: date) -> int:
    """Days since 1970-01-01, the unit every date array of the generator uses."""
    return int(np.datetime64(day, "D").astype(np.int64))


@dataclass(frozen=True)
class Window:
    end_month: str
    months: int
    #: First day of each month of the window, plus the first day after it (months + 1 values).
    month_starts: np.ndarray

    @classmethod
    def ending(cls, end_month: str, months: int) -> Window:
        if months < 1:
            raise ValueError(f"months must be at least 1, got {months}")
        last = np.datetime64(parse_period(end_month), "M")
        firsts = np.arange(last - (months - 1), last + 2).astype("datetime64[D]").astype(np.int64)
        return cls(end_month=end_month, months=months, month_starts=firsts)

    def month_starts_to_year_end(self) -> np.ndarray:
        """Like month_starts, but on to the end of the last month's year (December included)."""
        last = np.datetime64(parse_period(self.end_month), "M")
        december = last.astype("datetime64[Y]").astype("datetime64[M]") + 11
        later = np.arange(last + 2, december + 2).astype("datetime64[D]").astype(np.int64)
        return np.concatenate([self.month_starts, later])

    @property
    def start_day(self) -> int:
        return int(self.month_starts[0])

    @property
    def end_day(self) -> int:
        """Last day of the window (inclusive)."""
        return int(self.month_starts[-1]) - 1

    @property
    def days(self) -> int:
        return self.end_day - self.start_day + 1

    @property
    def start_month(self) -> str:
        return format_period(date.fromordinal(date(1970, 1, 1).toordinal() + self.start_day))

    @property
    def export_second(self) -> int:
        """When the exports were taken: 02:00 UTC the day after the window. Nothing is later."""
        return (self.end_day + 1) * SECONDS_PER_DAY + 2 * 3600

    def month_of(self, days: np.ndarray) -> np.ndarray:
        """Index (0..months-1) of the window month each day falls in."""
        return np.searchsorted(self.month_starts, days, side="right") - 1

    def is_quarter_end(self) -> np.ndarray:
        """Per window month: whether it closes a calendar quarter."""
        month_numbers = self.month_starts[:-1].astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12
        return (month_numbers % 3) == 2
