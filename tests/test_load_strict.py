"""The loader's strict contracts at the door (issue 13, item 1), against the real embedded
PostgreSQL: a value is read as its contract type says whatever the server's settings,
or the file is refused naming file, line, column, value and what was expected, with
nothing of it loaded and the file kept in landing."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from test_load import USERS_HEADER, _rows, _write

from commissions import load, warehouse

USER = "U1,E1,Ann,a@x.com,AE,true,2026-01-01T00:00:00Z\n"
FX_HEADER = "rate_date,from_currency,to_currency,rate\n"


def _refused(wh: warehouse.Warehouse, landing: Path, system: str, path: Path, *patterns: str) -> str:
    """Load the system, expect a LoadError matching every pattern; the file stays, nothing of it loads."""
    with pytest.raises(load.LoadError) as caught:
        load.load_system(system, "b1", landing=landing, wh=wh)
    message = str(caught.value)
    for pattern in patterns:
        assert pattern in message, message
    assert path.exists(), "a refused file stays in landing"
    return message


@pytest.mark.parametrize(
    ("written", "column"),
    [
        ("03/04/2026", "rate_date"),  # day or month first: the server's DateStyle would decide
        ("12/07/2026", "rate_date"),
        ("07.12.2026", "rate_date"),
        ("April 5, 2026", "rate_date"),
        ("Dec 7 2026", "rate_date"),
        ("2026-7-1", "rate_date"),
        (" 2026-07-01", "rate_date"),
    ],
)
def test_a_date_not_in_iso_8601_is_refused(db, isolated_home, tmp_path, written: str, column: str) -> None:
    landing = tmp_path / "landing"
    path = _write(landing, "hr", "fx_rates.csv", FX_HEADER + "2026-07-01,EUR,USD,1.1\n" + f'"{written}",GBP,USD,1.27\n')
    _refused(db, landing, "hr", path, f"fx_rates.csv: line 3, column {column}: {written!r}", "YYYY-MM-DD")
    assert _rows(db, "select count(*) from raw_hr.fx_rates") == [(0,)]


@pytest.mark.parametrize(
    "written",
    [" 1e3", "1e3", "1E+3", "NaN", "Infinity", "-Infinity", "1e309", "1,000.50", "+1.10", ".5", "1.1 ", "0x10"],
)
def test_a_number_not_in_the_contracts_decimal_form_is_refused(db, isolated_home, tmp_path, written: str) -> None:
    landing = tmp_path / "landing"
    path = _write(landing, "hr", "fx_rates.csv", FX_HEADER + f'2026-07-01,EUR,USD,"{written}"\n')
    _refused(db, landing, "hr", path, f"line 2, column rate: {written!r} is not a decimal number")
    assert _rows(db, "select count(*) from raw_hr.fx_rates") == [(0,)]


def test_a_number_beyond_any_export_is_refused(db, isolated_home, tmp_path) -> None:
    """10^20 is written correctly but no source sends it: refused at the door."""
    landing = tmp_path / "landing"
    header = "adjustment_id,employee_id,pay_period,amount,currency,reason,entered_by,approved_by,updated_at\n"
    path = _write(
        landing,
        "hr",
        "commission_adjustments.csv",
        header + "A1,E1,2026-10,100000000000000000000.00,USD,typo,ann,bob,2026-10-01T00:00:00Z\n",
    )
    _refused(db, landing, "hr", path, "line 2, column amount", "is not a number from -1,000,000,000,000,000")


@pytest.mark.parametrize("written", ["2026-01-01", "2026-01-01T00:00:00", "2026-01-01 00:00", "01/01/2026 10:00"])
def test_a_timestamp_needs_iso_8601_with_its_offset(db, isolated_home, tmp_path, written: str) -> None:
    """Without an offset, the server's TimeZone would decide which instant it is."""
    landing = tmp_path / "landing"
    path = _write(landing, "crm", "users.csv", USERS_HEADER + f"U1,E1,Ann,a@x.com,AE,true,{written}\n")
    _refused(db, landing, "crm", path, f"line 2, column last_modified_at: {written!r}", "UTC offset")


def test_iso_timestamps_with_any_offset_load_as_the_same_instant(db, isolated_home, tmp_path) -> None:
    landing = tmp_path / "landing"
    _write(
        landing,
        "crm",
        "users.csv",
        USERS_HEADER + "U1,E1,Ann,a@x.com,AE,true,2026-01-01T12:00:00Z\n"
        "U2,E2,Bob,b@x.com,AE,false,2026-01-01T13:30:00.250+01:30\n"
        "U3,E3,Cy,c@x.com,AE,,2026-01-01 07:00:00-05:00\n",
    )
    load.load_system("crm", "b1", landing=landing, wh=db)
    assert _rows(
        db, "select user_id, extract(epoch from last_modified_at)::numeric, is_active from raw_crm.users order by 1"
    ) == [
        ("U1", 1767268800, True),
        ("U2", pytest.approx(1767268800.25), False),
        ("U3", 1767268800, None),
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('"amount": NaN', "NaN is not a finite number"),
        ('"amount": Infinity', "Infinity is not a finite number"),
        ('"amount": -Infinity', "-Infinity is not a finite number"),
        ('"amount": 1e309', "'1E+309' is not a decimal number"),
        ('"amount": 1e3', "'1E+3' is not a decimal number"),
        ('"amount": 10.5, "amount": 11.5', "key 'amount' appears twice"),
    ],
)
def test_json_lines_take_finite_decimals_and_each_key_once(db, isolated_home, tmp_path, line, expected) -> None:
    landing = tmp_path / "landing"
    record = (
        '{"payment_id": "P1", "invoice_id": "I1", "payment_date": "2026-01-05", "currency": "USD", '
        + line
        + ', "method": "wire", "updated_at": "2026-01-05T00:00:00Z"}\n'
    )
    path = _write(landing, "billing", "payments.jsonl", record)
    _refused(db, landing, "billing", path, "payments.jsonl: line 1", expected)
    assert _rows(db, "select count(*) from raw_billing.payments") == [(0,)]


def test_an_empty_file_is_refused_in_every_format_unless_its_control_file_says_no_records(
    db, isolated_home, tmp_path
) -> None:
    landing = tmp_path / "landing"
    jsonl = _write(landing, "billing", "payments.jsonl", b"")
    _refused(db, landing, "billing", jsonl, "payments.jsonl: empty file (0 bytes)")
    csv_file = _write(landing, "crm", "users.csv", b"")
    _refused(db, landing, "crm", csv_file, "users.csv: empty file (0 bytes)")
    _control(jsonl, rows=3)
    _refused(db, landing, "billing", jsonl, "payments.jsonl: empty file (0 bytes)")
    for empty in (jsonl, csv_file):
        _control(empty, rows=0)
    loaded = load.load_system("billing", "b1", landing=landing, wh=db) + load.load_system(
        "crm", "b1", landing=landing, wh=db
    )
    assert {(r.file_name, r.status, r.rows_in_file) for r in loaded if r.status != "missing"} == {
        ("payments.jsonl", "loaded", 0),
        ("users.csv", "loaded", 0),
    }


def test_a_file_no_contract_reads_is_reported_and_the_others_still_load(db, isolated_home, tmp_path) -> None:
    landing = tmp_path / "landing"
    users = _write(landing, "crm", "users.csv", USERS_HEADER + USER)
    for stray in ("Opportunities.csv", "opportunities_20261130.csv"):
        _write(landing, "crm", stray, "anything\n")
    _write(landing, "crm", ".opportunities.csv.part", "an upload in progress\n")
    message = _refused(
        db,
        landing,
        "crm",
        landing / "crm" / "Opportunities.csv",
        "Opportunities.csv: matches no crm contract",
        "opportunities_20261130.csv: matches no crm contract",
        "expected accounts.csv, activities.csv",
    )
    assert ".part" not in message, "a hidden upload in progress is logged, not an error"
    assert (landing / "crm" / "opportunities_20261130.csv").exists()
    assert not users.exists() and _rows(db, "select count(*) from raw_crm.users") == [(1,)]


def test_a_link_in_landing_is_refused_and_not_followed(db, isolated_home, tmp_path) -> None:
    landing = tmp_path / "landing"
    outside = tmp_path / "elsewhere" / "users.csv"
    outside.parent.mkdir()
    outside.write_text(USERS_HEADER + USER, encoding="utf-8")
    (landing / "crm").mkdir(parents=True)
    link = landing / "crm" / "users.csv"
    link.symlink_to(outside)
    _refused(db, landing, "crm", link, "users.csv: not a regular file")
    assert outside.exists() and link.is_symlink()
    assert _rows(db, "select count(*) from raw_crm.users") == [(0,)]


@pytest.mark.parametrize("batch_id", ["../../..", "..", "a/b", "/tmp/x", "", ".hidden", "b1\n"])
def test_a_batch_id_never_names_a_path(db, isolated_home, tmp_path, batch_id: str) -> None:
    landing = tmp_path / "landing"
    users = _write(landing, "crm", "users.csv", USERS_HEADER + USER)
    with pytest.raises(load.LoadError, match="is not a batch id"):
        load.load_system("crm", batch_id, landing=landing, wh=db)
    assert users.exists()


def test_a_record_that_returns_to_an_earlier_version_is_the_current_one(db, isolated_home, tmp_path) -> None:
    """A rate sent as 1.10, then 1.20, then 1.10 again ends at 1.10; re-sending 1.10 adds nothing."""
    landing = tmp_path / "landing"
    for batch, rate, newline in (
        ("b1", "1.10", "\n"),
        ("b2", "1.20", "\n"),
        ("b3", "1.10", "\n"),
        ("b4", "1.10", "\r\n"),
    ):
        # b4: the same rate in a file that differs only by its line ends (another sha256)
        _write(landing, "hr", "fx_rates.csv", (FX_HEADER + f"2026-07-01,EUR,USD,{rate}\n").replace("\n", newline))
        load.load_system("hr", batch, landing=landing, wh=db)
    assert _rows(db, "select rate::text, _batch_id from raw_hr.fx_rates order by _row_id") == [
        ("1.10", "b1"),
        ("1.20", "b2"),
        ("1.10", "b3"),
    ]
    assert _rows(db, "select rate::text from raw_hr.fx_rates_current") == [("1.10",)]


def _control(path: Path, **declared: object) -> None:
    path.with_name(path.name + load.CONTROL_SUFFIX).write_text(json.dumps(declared), encoding="utf-8")


def test_a_control_file_catches_a_file_cut_at_a_row_boundary(db, isolated_home, tmp_path) -> None:
    landing = tmp_path / "landing"
    rows = [f"U{i},E{i},Person {i},p{i}@x.com,AE,true,2026-01-01T00:00:00Z\n" for i in range(1, 6)]
    full = USERS_HEADER + "".join(rows)
    cut = USERS_HEADER + "".join(rows[:2])  # cut after 2 of its 5 rows: still a valid CSV
    path = _write(landing, "crm", "users.csv", cut)
    _control(path, rows=5)
    _refused(db, landing, "crm", path, "users.csv: 2 record(s) read", "says 5", "cut short")
    assert _rows(db, "select count(*) from raw_crm.users") == [(0,)]

    _control(path, rows=5, sha256=hashlib.sha256(full.encode()).hexdigest())
    _refused(db, landing, "crm", path, "differs from", "not the one the source sent")

    path.write_text(full, encoding="utf-8")
    load.load_system("crm", "b1", landing=landing, wh=db)
    assert _rows(db, "select count(*) from raw_crm.users") == [(5,)]
    archived = isolated_home / "archive" / "crm" / "b1"
    assert sorted(p.name for p in archived.iterdir()) == ["users.csv", "users.csv.control.json"]
