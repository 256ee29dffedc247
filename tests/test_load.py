"""The loader against a real PostgreSQL: contracts enforced with file, line and column;
idempotent; versions kept; nothing of a bad file loaded; files archived, never deleted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from commissions import load, warehouse
from commissions.contracts import CRM_USERS, HR_EMPLOYEES

USERS_HEADER = "user_id,employee_number,full_name,email,title,is_active,last_modified_at\n"


def _write(landing: Path, system: str, name: str, text: str | bytes) -> Path:
    path = landing / system / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _rows(wh: warehouse.Warehouse, sql: str) -> list[tuple]:
    with warehouse.connect(wh) as conn, conn.cursor() as cur:
        cur.execute(sql)
        return cur.fetchall()


def _employee(**overrides: object) -> dict:
    row = {
        "employee_id": "E1",
        "first_name": "Ann",
        "last_name": "Lee",
        "email": "ann@example.com",
        "hire_date": "2025-01-06",
        "termination_date": None,
        "pay_currency": "USD",
        "country": "US",
        "updated_at": "2026-01-01T00:00:00Z",
    }
    row.update(overrides)
    return row


def test_csv_type_error_names_file_line_and_column_and_loads_nothing(db, isolated_home, tmp_path) -> None:
    landing = tmp_path / "landing"
    path = _write(
        landing,
        "crm",
        "users.csv",
        USERS_HEADER
        + "U1,E1,Ann,a@x.com,AE,true,2026-01-01T00:00:00Z\n"
        + "U2,E2,Bob,b@x.com,AE,maybe,2026-01-01T00:00:00Z\n",
    )
    with pytest.raises(load.LoadError, match=r"users\.csv: line 3, column is_active: .maybe. is not true or false"):
        load.load_system("crm", "b1", landing=landing, wh=db)
    assert _rows(db, "select count(*) from raw_crm.users") == [(0,)]
    assert path.exists(), "a rejected file stays in landing"


def test_csv_with_missing_and_unexpected_columns_is_rejected(db, isolated_home, tmp_path) -> None:
    landing = tmp_path / "landing"
    _write(landing, "crm", "users.csv", "user_id,employee_no,full_name,email,title,is_active,last_modified_at\n")
    with pytest.raises(load.LoadError) as err:
        load.load_system("crm", "b1", landing=landing, wh=db)
    message = str(err.value)
    assert "users.csv: line 1 (header)" in message
    assert "missing column(s) employee_number" in message
    assert "unexpected column(s) employee_no" in message


def test_bad_encoding_is_reported_with_its_line(db, isolated_home, tmp_path) -> None:
    landing = tmp_path / "landing"
    _write(
        landing,
        "crm",
        "users.csv",
        (USERS_HEADER + "U1,E1,Ren\xe9,r@x.com,AE,true,2026-01-01T00:00:00Z\n").encode("latin-1"),
    )
    with pytest.raises(load.LoadError, match=r"users\.csv: line 2.*UTF8"):
        load.load_system("crm", "b1", landing=landing, wh=db)


def test_jsonl_errors_name_line_and_field(db, isolated_home, tmp_path) -> None:
    landing = tmp_path / "landing"
    good = json.dumps(_employee())
    _write(landing, "hr", "employees.jsonl", good + "\n" + '{"employee_id": "E2", oops}\n')
    with pytest.raises(load.LoadError, match=r"employees\.jsonl: line 2, column 23: invalid JSON"):
        load.load_system("hr", "b1", landing=landing, wh=db)

    _write(
        landing,
        "hr",
        "employees.jsonl",
        good + "\n" + json.dumps(_employee(employee_id="E2", hire_date="2025-02-30")) + "\n",
    )
    with pytest.raises(
        load.LoadError,
        match=r"employees\.jsonl: line 2, column hire_date: '2025-02-30' is not a date in ISO 8601.*out of range",
    ):
        load.load_system("hr", "b1", landing=landing, wh=db)

    row = _employee()
    del row["country"]
    _write(landing, "hr", "employees.jsonl", json.dumps(row) + "\n")
    with pytest.raises(load.LoadError, match=r"employees\.jsonl: line 1: missing column\(s\) country"):
        load.load_system("hr", "b1", landing=landing, wh=db)
    assert _rows(db, "select count(*) from raw_hr.employees") == [(0,)]


def test_json_numbers_stay_exact(db, isolated_home, tmp_path) -> None:
    landing = tmp_path / "landing"
    line = (
        '{"invoice_id": "I1", "account_id": "A1", "opportunity_id": "O1", "invoice_date": "2026-01-05", '
        '"due_date": "2026-02-04", "currency": "USD", "total_amount": 1234567890123.17, "status": "open", '
        '"updated_at": "2026-01-05T00:00:00Z"}\n'
    )
    _write(landing, "billing", "invoices.jsonl", line)
    load.load_system("billing", "b1", landing=landing, wh=db)
    assert _rows(db, "select total_amount::text from raw_billing.invoices") == [("1234567890123.17",)]


def test_reloading_is_idempotent_and_changes_arrive_as_versions(db, isolated_home, tmp_path) -> None:
    landing = tmp_path / "landing"
    v1 = (
        USERS_HEADER
        + "U1,E1,Ann,a@x.com,AE,true,2026-01-01T00:00:00Z\nU2,E2,Bob,b@x.com,AM,true,2026-01-01T00:00:00Z\n"
    )
    _write(landing, "crm", "users.csv", v1)
    first = load.load_system("crm", "b1", landing=landing, wh=db)
    assert [r.rows_inserted for r in first if r.table == "raw_crm.users"] == [2]
    archived = isolated_home / "archive" / "crm" / "b1" / "users.csv"
    assert archived.read_text() == v1 and not (landing / "crm" / "users.csv").exists()

    # The identical file again: skipped by its sha256, and archived under the new batch.
    _write(landing, "crm", "users.csv", v1)
    again = load.load_system("crm", "b2", landing=landing, wh=db)
    assert [r.status for r in again if r.table == "raw_crm.users"] == ["skipped_duplicate_file"]

    # A full re-export where only Bob changed: one new version, the current view shows it.
    v2 = (
        USERS_HEADER
        + "U1,E1,Ann,a@x.com,AE,true,2026-01-01T00:00:00Z\nU2,E2,Bob,b@x.com,MANAGER,true,2026-02-01T00:00:00Z\n"
    )
    _write(landing, "crm", "users.csv", v2)
    third = load.load_system("crm", "b3", landing=landing, wh=db)
    assert [r.rows_inserted for r in third if r.table == "raw_crm.users"] == [1]
    assert _rows(db, "select count(*) from raw_crm.users") == [(3,)]
    assert _rows(db, "select user_id, title, _batch_id, _source_line from raw_crm.users_current order by user_id") == [
        ("U1", "AE", "b1", 2),
        ("U2", "MANAGER", "b3", 3),
    ]


def test_same_key_twice_in_one_export_stays_visible_as_duplicate(db, isolated_home, tmp_path) -> None:
    landing = tmp_path / "landing"
    _write(
        landing,
        "crm",
        "users.csv",
        USERS_HEADER
        + "U1,E1,Ann,a@x.com,AE,true,2026-01-01T00:00:00Z\n"
        + "U1,E1,Ann B,a@x.com,AE,true,2026-01-01T00:00:00Z\n",
    )
    load.load_system("crm", "b1", landing=landing, wh=db)
    assert _rows(db, "select _source_line from raw_crm.users_current order by 1") == [(2,), (3,)]


def test_contract_drives_the_raw_tables(db, isolated_home) -> None:
    load.load_system("crm", "b1", landing=isolated_home / "empty", wh=db)
    for table in (CRM_USERS, HR_EMPLOYEES):
        columns = _rows(
            db,
            f"""select column_name from information_schema.columns
                               where table_schema = '{table.raw_schema}' and table_name = '{table.name}'
                               and column_name not like '\\_%' order by ordinal_position""",
        )
        assert [c for (c,) in columns] == table.column_names
