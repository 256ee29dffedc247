"""Pay periods. A pay period is a calendar month, written YYYY-MM."""

from __future__ import annotations

import re
from datetime import date, timedelta

#: A pay period as text, for checks outside Python (a CHECK constraint, an Airflow Param).
PERIOD_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
_PERIOD = re.compile(r"^(?P<year>\d{4})-(?P<month>0[1-9]|1[0-2])$")


class PeriodError(ValueError):
    """A pay period that is not a valid YYYY-MM month."""


def parse_period(text: str) -> date:
    """'2026-10' -> date(2026, 10, 1)."""
    match = _PERIOD.match(text.strip())
    if not match:
        raise PeriodError(f"pay period {text!r} is not a month written YYYY-MM (e.g. 2026-10)")
    return date(int(match["year"]), int(match["month"]), 1)


def format_period(first_day: date) -> str:
    return f"{first_day.year:04d}-{first_day.month:02d}"


def latest_closed_month(as_of: date) -> str:
    """The last calendar month that has fully ended before `as_of`."""
    first_of_this_month = as_of.replace(day=1)
    return format_period((first_of_this_month - timedelta(days=1)).replace(day=1))


def period_bounds(period: str) -> tuple[date, date]:
    """First and last day of a pay period."""
    start = parse_period(period)
    next_month = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start, next_month - timedelta(days=1)
