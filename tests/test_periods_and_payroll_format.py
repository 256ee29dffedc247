"""Pay periods and the payroll file's formatting, without a database."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date, datetime
from decimal import Decimal

import pytest

from commissions.export.payroll import ExportError, PayrollRow, control_totals, render_csv
from commissions.periods import PeriodError, latest_closed_month, parse_period, period_bounds
from commissions.tasks import batch_id_for, resolve_period


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2026, 11, 22), "2026-10"),
        (date(2026, 11, 1), "2026-10"),
        (date(2026, 1, 31), "2025-12"),
        (date(2024, 3, 1), "2024-02"),
    ],
)
def test_latest_closed_month(as_of: date, expected: str) -> None:
    assert latest_closed_month(as_of) == expected


def test_period_bounds_know_leap_years() -> None:
    assert period_bounds("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    assert period_bounds("2026-12") == (date(2026, 12, 1), date(2026, 12, 31))


@pytest.mark.parametrize("bad", ["2026-13", "2026-1", "26-10", "2026/10", ""])
def test_bad_periods_are_refused_with_the_expected_form(bad: str) -> None:
    with pytest.raises(PeriodError, match="YYYY-MM"):
        parse_period(bad)


def test_requested_period_wins_over_the_run_date() -> None:
    assert resolve_period("2026-08", datetime(2026, 11, 22, 2, 0)) == "2026-08"
    assert resolve_period(None, datetime(2026, 11, 22, 2, 0)) == "2026-10"


def test_batch_ids_are_safe_for_paths_and_sql() -> None:
    assert batch_id_for("scheduled__2026-11-22T02:00:00+00:00") == "scheduled__2026-11-22T02_00_00_00_00"


def _row(emp: str, amount: str, ccy: str, units: int = 2) -> PayrollRow:
    return PayrollRow(emp, "2026-10", "COMM", Decimal(amount), ccy, units)


def test_amounts_print_to_the_currency_minor_units() -> None:
    rows = [_row("E1", "1234.5", "USD"), _row("E2", "98765", "JPY", 0), _row("E3", "0.10", "EUR")]
    lines = render_csv(rows).decode().splitlines()
    assert lines == [
        "employee_id,pay_period,earnings_code,amount,currency",
        "E1,2026-10,COMM,1234.50,USD",
        "E2,2026-10,COMM,98765,JPY",
        "E3,2026-10,COMM,0.10,EUR",
    ]


def test_unrounded_amount_is_refused_not_rounded_in_the_file() -> None:
    with pytest.raises(ExportError, match="more decimals than JPY allows"):
        render_csv([_row("E2", "100.5", "JPY", 0)])


def test_control_totals_per_currency_equal_the_sum_of_the_file() -> None:
    rows = [_row("E1", "0.10", "USD"), _row("E2", "0.20", "USD"), _row("E3", "1500", "JPY", 0)]
    content = render_csv(rows)
    summed: dict[str, Decimal] = {}
    for r in csv.DictReader(io.StringIO(content.decode())):
        summed[r["currency"]] = summed.get(r["currency"], Decimal(0)) + Decimal(r["amount"])
    assert control_totals(rows) == {"JPY": "1500", "USD": "0.30"}
    assert {c: Decimal(v) for c, v in control_totals(rows).items()} == summed
    # Deterministic bytes: same rows, same sha256.
    assert hashlib.sha256(render_csv(rows)).hexdigest() == hashlib.sha256(content).hexdigest()


def test_a_deduction_prints_with_its_sign_and_nets_in_the_control_total() -> None:
    """A clawback larger than the month's earnings is a negative payroll line (a deduction)."""
    rows = [_row("E1", "-2000", "USD"), _row("E2", "-0.5", "USD"), _row("E3", "300.25", "USD")]
    assert render_csv(rows).decode().splitlines()[1:] == [
        "E1,2026-10,COMM,-2000.00,USD",
        "E2,2026-10,COMM,-0.50,USD",
        "E3,2026-10,COMM,300.25,USD",
    ]
    assert control_totals(rows) == {"USD": "-1700.25"}
