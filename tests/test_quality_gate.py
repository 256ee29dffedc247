"""The data-quality gate against a real embedded PostgreSQL.

Each test builds a small, consistent world of landing files in the contract formats,
breaks one thing, loads it with the real loader and runs the gate. Expected quarantine
is written out as business keys and the raw row ids looked up independently.
"""

from __future__ import annotations

import copy
import csv
import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from commissions import pipeline, warehouse
from commissions.config import paths
from commissions.contracts import SOURCE_TABLES, SYSTEMS, table
from commissions.quality.gate import QualityGateBlocked, fx_currencies, run_gate
from commissions.quality.suites import load_suites
from commissions.raw_schema import current_view_name

N_OPPORTUNITIES = 60
TS = "2026-10-01T00:00:00Z"

World = dict[str, list[dict]]


def _days(start: date, end: date) -> Iterator[date]:
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def clean_world() -> World:
    """3 reps and a manager, 60 deals in three currencies, splits, invoices, rates, quotas.

    Deliberately includes what must NOT be flagged: open deals with no amount and no
    invoice (closing after the last FX rate), a terminated rep's historical deals, an
    Overlay split next to Revenue splits, thirds that sum to exactly 100.
    """
    employees = [
        ("E1", "USD", "2024-01-08", None),
        ("E2", "EUR", "2024-03-04", None),
        ("E3", "USD", "2023-05-02", "2026-06-30"),  # terminated; keeps historical deals
        ("E4", "USD", "2022-01-03", None),  # manager
    ]
    world: World = {
        "hr/employees": [
            {
                "employee_id": e,
                "first_name": f"First{e}",
                "last_name": f"Last{e}",
                "email": f"{e.lower()}@example.com",
                "hire_date": hired,
                "termination_date": left,
                "pay_currency": ccy,
                "country": "DE" if ccy == "EUR" else "US",
                "updated_at": TS,
            }
            for e, ccy, hired, left in employees
        ],
        "hr/job_history": [
            {
                "employee_id": e,
                "effective_from": hired,
                "effective_to": left,
                "role": "MANAGER" if e == "E4" else "AE",
                "manager_employee_id": None if e == "E4" else "E4",
                "territory": "NA-EAST",
                "plan_id": None if e == "E4" else "AE_2026",
                "updated_at": TS,
            }
            for e, _, hired, left in employees
        ],
        "hr/quotas": [
            {
                "employee_id": e,
                "measure": "bookings",
                "period_start": f"2026-{m:02d}-01",
                "period_end": (date(2026, m + 1, 1) - timedelta(days=1)).isoformat(),
                "quota_amount": "50000.00",
                "currency": ccy,
                "updated_at": TS,
            }
            for e, ccy, _, _ in employees[:3]
            for m in range(5, 11)
        ],
        "hr/fx_rates": [
            {"rate_date": d.isoformat(), "from_currency": ccy, "to_currency": "USD", "rate": rate}
            for d in _days(date(2026, 5, 1), date(2026, 10, 31))
            for ccy, rate in (("EUR", "1.0850"), ("GBP", "1.2710"))
        ],
        "crm/users": [
            {
                "user_id": f"U{e[1:]}",
                "employee_number": e,
                "full_name": f"First{e} Last{e}",
                "email": f"{e.lower()}@example.com",
                "title": "AE",
                "is_active": "false" if left else "true",
                "last_modified_at": TS,
            }
            for e, _, _, left in employees
        ],
        "crm/accounts": [
            {
                "account_id": f"A{i}",
                "account_name": f"Customer {i}",
                "territory": "NA-EAST",
                "region": "NA",
                "country": "US",
                "segment": "MM",
                "last_modified_at": TS,
            }
            for i in range(1, 4)
        ],
    }
    opportunities, line_items, invoices, invoice_lines, payments = [], [], [], [], []
    for i in range(1, N_OPPORTUNITIES + 1):
        opp_id = f"OPP-{i:04d}"
        currency = ("USD", "EUR", "GBP")[i % 3]
        if i % 10 == 0:
            stage, close, amount = "Negotiation", "2026-12-15", None  # open: no amount, no rate, no invoice
        elif i % 10 == 9:
            stage, close, amount = "Closed Lost", f"2026-09-{i % 28 + 1:02d}", "5000.00"
        elif i % 7 == 0:
            stage, close, amount = "Closed Won", f"2026-05-{i % 28 + 1:02d}", "7000.00"
        else:
            stage, close, amount = "Closed Won", f"2026-{8 + i % 3:02d}-{i % 28 + 1:02d}", f"{1000 + 10 * i}.50"
        owner = "U3" if close.startswith("2026-05") else ("U1", "U2")[i % 2]
        opportunities.append(
            {
                "opportunity_id": opp_id,
                "account_id": f"A{i % 3 + 1}",
                "owner_user_id": owner,
                "opportunity_name": f"Deal {i}",
                "stage": stage,
                "opportunity_type": ("new", "renewal", "upsell")[i % 3],
                "amount": amount,
                "currency": currency,
                "close_date": close,
                "contract_start_date": close,
                "term_months": "12",
                "created_at": "2026-04-01T00:00:00Z",
                "last_modified_at": TS,
            }
        )
        if stage != "Closed Won":
            continue
        line_items.append(
            {
                "line_item_id": f"LI-{i:04d}",
                "opportunity_id": opp_id,
                "product_code": "PLAT",
                "product_family": "Platform",
                "quantity": "1",
                "unit_price": amount,
                "total_price": amount,
                "last_modified_at": TS,
            }
        )
        invoices.append(
            {
                "invoice_id": f"INV-{i:04d}",
                "account_id": f"A{i % 3 + 1}",
                "opportunity_id": opp_id,
                "invoice_date": close,
                "due_date": close,
                "currency": currency,
                "total_amount": amount,
                "status": "paid" if i % 2 else "open",
                "updated_at": TS,
            }
        )
        invoice_lines.append(
            {
                "invoice_line_id": f"IL-{i:04d}",
                "invoice_id": f"INV-{i:04d}",
                "product_code": "PLAT",
                "description": "Platform subscription",
                "quantity": "1",
                "amount": amount,
                "service_period_start": close,
                "service_period_end": "2027-12-31",
                "updated_at": TS,
            }
        )
        if i % 2:
            payments.append(
                {
                    "payment_id": f"PAY-{i:04d}",
                    "invoice_id": f"INV-{i:04d}",
                    "payment_date": close,
                    "currency": currency,
                    "amount": amount,
                    "method": "wire",
                    "updated_at": TS,
                }
            )
    world["crm/opportunities"] = opportunities
    world["crm/opportunity_line_items"] = line_items
    world["billing/invoices"] = invoices
    world["billing/invoice_lines"] = invoice_lines
    world["billing/payments"] = payments
    world["billing/credit_notes"] = [
        {
            "credit_note_id": "CN-0001",
            "invoice_id": "INV-0001",
            "issue_date": "2026-10-20",
            "currency": "EUR",
            "amount": "100.00",
            "reason": "refund",
            "updated_at": TS,
        }
    ]

    def split(split_id: str, opp: str, user: str, pct: str, kind: str = "Revenue") -> dict:
        return {
            "split_id": split_id,
            "opportunity_id": opp,
            "split_owner_user_id": user,
            "split_percent": pct,
            "split_type": kind,
            "last_modified_at": TS,
        }

    world["crm/opportunity_splits"] = [
        split("S-1", "OPP-0001", "U1", "60"),
        split("S-2", "OPP-0001", "U2", "40"),
        split("S-3", "OPP-0001", "U4", "100", "Overlay"),  # overlays need not sum to 100
        split("S-4", "OPP-0002", "U1", "33.33"),
        split("S-5", "OPP-0002", "U2", "33.33"),
        split("S-6", "OPP-0002", "U4", "33.34"),
    ]
    # Most deals are shared 50/50 between the two active reps (a realistic splits table).
    for i in range(3, 51):
        if i % 10 and not opportunity(world, f"OPP-{i:04d}")["close_date"].startswith("2026-05"):
            world["crm/opportunity_splits"] += [
                split(f"S-{i}-a", f"OPP-{i:04d}", "U1", "50"),
                split(f"S-{i}-b", f"OPP-{i:04d}", "U2", "50.00"),
            ]
    return world


def opportunity(world: World, opp_id: str) -> dict:
    return next(o for o in world["crm/opportunities"] if o["opportunity_id"] == opp_id)


def write_world(landing: Path, world: World) -> None:
    for key, rows in world.items():
        t = table(key.replace("/", "."))
        path = landing / t.system / t.file_name
        path.parent.mkdir(parents=True, exist_ok=True)
        if t.file_format == "csv":
            with path.open("w", encoding="utf-8", newline="") as fh:
                writer = csv.DictWriter(fh, fieldnames=t.column_names, lineterminator="\n")
                writer.writeheader()
                writer.writerows([{k: "" if v is None else v for k, v in r.items()} for r in rows])
        else:
            path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def load_world(world: World, tmp_path: Path, db: warehouse.Warehouse) -> None:
    landing = tmp_path / "landing"
    write_world(landing, world)
    for system in SYSTEMS:
        pipeline.load_system(db, system, "b1", landing=landing, archive=False)


def rows(db: warehouse.Warehouse, sql: str, params: tuple = ()) -> list[tuple]:
    with warehouse.connect(db) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def held(db: warehouse.Warehouse, gate_run_id: str) -> set[tuple[str, int, str]]:
    """(table, row_id, rule) quarantined by one run."""
    return set(
        rows(db, "select table_name, row_id, rule_name from dq.quarantine where gate_run_id = %s", (gate_run_id,))
    )


def row_ids(db: warehouse.Warehouse, relation: str, where: str, params: tuple = ()) -> set[int]:
    return {r[0] for r in rows(db, f"select _row_id from {relation} where {where}", params)}


def total_rules() -> int:
    return sum(len(s.rules) for s in load_suites(paths().expectations))


# --- the suites themselves -------------------------------------------------------------


def test_there_is_one_suite_per_contract_table_covering_its_columns_and_key() -> None:
    suites = load_suites(paths().expectations)
    assert [s.name for s in suites] == [f"{t.system}.{t.name}" for t in SOURCE_TABLES]
    for suite in suites:
        schema = suite.rule("schema_columns_present")
        assert schema.severity == "blocking"
        assert set(schema.kwargs["column_set"]) == set(suite.table.column_names)
        unique = [r for r in suite.rules if r.name.endswith("_unique")]
        assert len(unique) == 1
        key = unique[0].kwargs.get("column_list") or [unique[0].kwargs["column"]]
        assert tuple(key) == suite.table.primary_key
        for rule in suite.rules:
            assert rule.severity in ("blocking", "warning") and rule.description
            if rule.severity == "warning" and rule.row_level:
                assert 0 < rule.mostly < 1, f"{suite.name}.{rule.name} needs a threshold"
    for name in ("hr.employees", "hr.fx_rates", "crm.users", "crm.opportunities"):
        assert next(s for s in suites if s.name == name).rule("table_not_empty").severity == "blocking"
    fx = next(s for s in suites if s.name == "hr.fx_rates")
    assert fx.rule("primary_key_unique").severity == "blocking"


# --- against the warehouse -------------------------------------------------------------


def test_clean_world_passes_with_nothing_quarantined(db, isolated_home, tmp_path) -> None:
    load_world(clean_world(), tmp_path, db)
    result = run_gate(db, run_label="clean")

    assert (result.status, result.blocking_failures, result.warnings, result.quarantined_rows) == ("passed", 0, 0, 0)
    assert result.gate_run_id.startswith("dq_") and "_clean_" in result.gate_run_id
    failing = rows(
        db,
        "select table_name, rule_name, observed_value from dq.expectation_results "
        "where gate_run_id = %s and not success",
        (result.gate_run_id,),
    )
    assert failing == []
    assert rows(db, "select count(*) from dq.expectation_results where gate_run_id = %s", (result.gate_run_id,)) == [
        (total_rules(),)
    ]
    run = rows(
        db,
        "select status, finished_at is not null, quarantined_rows, data_docs_path from dq.gate_runs "
        "where gate_run_id = %s",
        (result.gate_run_id,),
    )
    # Data Docs are rendered on request (commissions validate --data-docs), not by the gate.
    assert run == [("passed", True, 0, None)]
    assert not (paths().data_docs / "index.html").exists()
    assert result.report_path.exists() and result.report_path.with_suffix(".json").exists()
    assert result.report_path.name == f"dq_report_{result.gate_run_id}.md"
    assert list(paths().data_docs.parent.glob(f"**/dq_report_{result.gate_run_id}*"))
    assert "passed" in result.summary()


def test_duplicated_opportunity_holds_both_copies_and_warns(db, isolated_home, tmp_path) -> None:
    world = clean_world()
    victim = opportunity(world, "OPP-0005")
    world["crm/opportunities"].append(dict(victim, amount="9999.00"))  # same last_modified_at
    load_world(world, tmp_path, db)

    result = run_gate(db, run_label="dup")

    copies = row_ids(db, "raw_crm.opportunities", "opportunity_id = 'OPP-0005'")
    assert len(copies) == 2
    assert held(db, result.gate_run_id) == {("crm.opportunities", r, "opportunity_id_unique") for r in copies}
    assert (result.status, result.warnings, result.quarantined_rows) == ("warned", 1, 2)
    # The latest finished run is the quarantine that counts.
    assert {r[0] for r in rows(db, "select row_id from dq.quarantine_current")} == copies
    sev = rows(
        db,
        "select severity, success, unexpected_count, details->>'outcome' from dq.expectation_results "
        "where gate_run_id = %s and table_name = 'crm.opportunities' and rule_name = 'opportunity_id_unique'",
        (result.gate_run_id,),
    )
    assert sev == [("warning", False, 2, "warned")]
    assert "opportunity_id=OPP-0005" in result.report_path.read_text()


def test_unknown_owner_is_quarantined(db, isolated_home, tmp_path) -> None:
    world = clean_world()
    opportunity(world, "OPP-0007")["owner_user_id"] = "U999"
    load_world(world, tmp_path, db)

    result = run_gate(db, run_label="ghost")

    ghost = row_ids(db, "raw_crm.opportunities", "opportunity_id = 'OPP-0007'")
    assert held(db, result.gate_run_id) == {("crm.opportunities", r, "owner_known") for r in ghost}
    assert result.status == "warned"


def test_splits_summing_to_90_hold_the_deal_and_its_splits(db, isolated_home, tmp_path) -> None:
    world = clean_world()
    for s in world["crm/opportunity_splits"]:
        if s["opportunity_id"] == "OPP-0002":
            s["split_percent"] = "30"
    load_world(world, tmp_path, db)

    result = run_gate(db, run_label="splits")

    deal = row_ids(db, "raw_crm.opportunities", "opportunity_id = 'OPP-0002'")
    splits = row_ids(db, "raw_crm.opportunity_splits", "split_id in ('S-4', 'S-5', 'S-6')")
    assert len(splits) == 3
    assert held(db, result.gate_run_id) == {("crm.opportunities", r, "revenue_splits_sum_to_100") for r in deal} | {
        ("crm.opportunity_splits", r, "revenue_splits_sum_to_100") for r in splits
    }
    assert result.status == "warned"


def test_unknown_split_owner_holds_the_split_and_its_deal(db, isolated_home, tmp_path) -> None:
    world = clean_world()
    next(s for s in world["crm/opportunity_splits"] if s["split_id"] == "S-2")["split_owner_user_id"] = "U404"
    load_world(world, tmp_path, db)

    result = run_gate(db, run_label="split-owner")

    deal = row_ids(db, "raw_crm.opportunities", "opportunity_id = 'OPP-0001'")
    split = row_ids(db, "raw_crm.opportunity_splits", "split_id = 'S-2'")
    assert held(db, result.gate_run_id) == {("crm.opportunities", r, "split_owner_known") for r in deal} | {
        ("crm.opportunity_splits", r, "split_owner_known") for r in split
    }


def test_a_held_revenue_split_holds_its_deal_even_when_the_total_is_100(db, isolated_home, tmp_path) -> None:
    world = clean_world()
    # A zero-percent revenue split: out of range, yet the deal's total is still 100.
    world["crm/opportunity_splits"].append(
        {
            "split_id": "S-ZERO",
            "opportunity_id": "OPP-0001",
            "split_owner_user_id": "U1",
            "split_percent": "0",
            "split_type": "Revenue",
            "last_modified_at": TS,
        }
    )
    load_world(world, tmp_path, db)

    result = run_gate(db, run_label="zero-split")

    deal = row_ids(db, "raw_crm.opportunities", "opportunity_id = 'OPP-0001'")
    split = row_ids(db, "raw_crm.opportunity_splits", "split_id = 'S-ZERO'")
    assert held(db, result.gate_run_id) == {("crm.opportunity_splits", r, "split_percent_in_range") for r in split} | {
        ("crm.opportunities", r, "deal_held_with_split") for r in deal
    }
    assert result.status == "warned"


def test_missing_currency_and_negative_amount_are_quarantined(db, isolated_home, tmp_path) -> None:
    world = clean_world()
    opportunity(world, "OPP-0011")["currency"] = None
    opportunity(world, "OPP-0013")["amount"] = "-250.00"
    load_world(world, tmp_path, db)

    result = run_gate(db, run_label="values")

    no_ccy = row_ids(db, "raw_crm.opportunities", "opportunity_id = 'OPP-0011'")
    negative = row_ids(db, "raw_crm.opportunities", "opportunity_id = 'OPP-0013'")
    assert held(db, result.gate_run_id) == {("crm.opportunities", r, "currency_not_null") for r in no_ccy} | {
        ("crm.opportunities", r, "amount_not_negative") for r in negative
    }
    assert (result.status, result.warnings, result.quarantined_rows) == ("warned", 2, 2)


def test_missing_fx_rate_on_close_date_holds_the_deal(db, isolated_home, tmp_path) -> None:
    world = clean_world()
    deal = opportunity(world, "OPP-0004")  # EUR, Closed Won
    assert (deal["currency"], deal["stage"]) == ("EUR", "Closed Won")
    world["hr/fx_rates"] = [
        r for r in world["hr/fx_rates"] if not (r["from_currency"] == "EUR" and r["rate_date"] == deal["close_date"])
    ]
    load_world(world, tmp_path, db)

    result = run_gate(db, run_label="fx")

    ids = row_ids(db, "raw_crm.opportunities", "opportunity_id = 'OPP-0004'")
    assert held(db, result.gate_run_id) == {("crm.opportunities", r, "fx_rate_on_close_date") for r in ids}


def test_too_many_bad_rows_block_and_everything_is_recorded(db, isolated_home, tmp_path) -> None:
    world = clean_world()
    bad = [f"OPP-{i:04d}" for i in range(21, 31)]  # 10 of 60 = 16.7%, threshold 5%
    for opp_id in bad:
        opportunity(world, opp_id)["amount"] = "-1.00"
    load_world(world, tmp_path, db)

    with pytest.raises(QualityGateBlocked) as err:
        run_gate(db, run_label="blocked")

    message = str(err.value)
    assert "crm.opportunities: amount_not_negative" in message
    assert "10 of 60 rows" in message
    assert "opportunity_id=OPP-0021 (crm/opportunities.csv:22) amount=-1.00" in message  # key, file:line, value
    gate_run_id = err.value.result.gate_run_id
    assert rows(
        db,
        "select status, blocking_failures, finished_at is not null, quarantined_rows from dq.gate_runs "
        "where gate_run_id = %s",
        (gate_run_id,),
    ) == [("blocked", 1, True, 10)]
    expected = row_ids(db, "raw_crm.opportunities", "opportunity_id = any(%s) and amount < 0", (bad,))
    assert held(db, gate_run_id) == {("crm.opportunities", r, "amount_not_negative") for r in expected}
    assert rows(db, "select count(*) from dq.expectation_results where gate_run_id = %s", (gate_run_id,)) == [
        (total_rules(),)
    ]
    assert rows(
        db,
        "select severity, success from dq.expectation_results where gate_run_id = %s "
        "and rule_name = 'amount_not_negative' and table_name = 'crm.opportunities'",
        (gate_run_id,),
    ) == [("blocking", False)]
    assert err.value.result.report_path.exists()


def test_fresh_warehouse_with_no_hr_data_blocks_on_empty_tables(db, isolated_home, tmp_path) -> None:
    world = {k: v for k, v in copy.deepcopy(clean_world()).items() if not k.startswith("hr/")}
    landing = tmp_path / "landing"
    write_world(landing, world)
    for system in ("crm", "billing"):
        pipeline.load_system(db, system, "b1", landing=landing, archive=False)

    with pytest.raises(QualityGateBlocked) as err:
        run_gate(db, run_label="no-hr")

    message = str(err.value)
    assert "hr.employees: table_not_empty [blocking]" in message
    assert "hr.fx_rates: table_not_empty [blocking]" in message


# --- the gate's SQL against Great Expectations itself -----------------------------------


def dirty_world() -> World:
    """The clean world with at least one failure for every kind of expectation the suites
    use (nulls, duplicates, sets, ranges, regexes, column pairs, compound keys, queries),
    plus the rows GX must not count (a pair with one side missing, a compound key with a
    null in it)."""
    world = clean_world()
    opportunity(world, "OPP-0011")["currency"] = None
    opportunity(world, "OPP-0013")["amount"] = "-250.00"
    opportunity(world, "OPP-0014")["stage"] = "Won"
    opportunity(world, "OPP-0016")["close_date"] = "1999-12-31"
    opportunity(world, "OPP-0017")["currency"] = "XYZ"
    opportunity(world, "OPP-0007")["owner_user_id"] = "U999"
    opportunity(world, "OPP-0008")["amount"] = None
    world["crm/opportunities"].append(dict(opportunity(world, "OPP-0005"), amount="9999.00"))
    next(s for s in world["crm/opportunity_splits"] if s["split_id"] == "S-5")["split_type"] = "Other"
    next(s for s in world["crm/opportunity_splits"] if s["split_id"] == "S-2")["split_percent"] = "0"
    employees = world["hr/employees"]
    employees[1]["termination_date"] = "2020-01-01"  # before hire
    jobs = world["hr/job_history"]
    jobs.append(dict(jobs[0], role="CEO"))  # duplicated (employee_id, effective_from), unknown role
    # Twice the same key with a null in it: GX does not count it as a duplicate. Ends before it starts.
    jobs += [dict(jobs[1], employee_id=None, effective_to="2020-01-01") for _ in range(2)]
    quotas = world["hr/quotas"]
    quotas.append(dict(quotas[0], quota_amount="0"))  # duplicated key and not positive
    quotas[3]["period_end"] = "2026-01-01"
    world["hr/fx_rates"].append({"rate_date": "2026-05-01", "from_currency": "eur", "to_currency": "USD", "rate": "1"})
    world["hr/leaves"] = [
        {
            "leave_id": f"L{i}",
            "employee_id": "E1",
            "leave_type": "vacation",
            "is_paid": "true",
            "start_date": "2026-06-01",
            "end_date": end,
            "updated_at": TS,
        }
        for i, end in ((1, "2026-06-10"), (2, "2026-05-01"), (3, None), (4, "2026-06-01"))  # 4: one day, passes
    ]
    world["hr/mbo_scores"] = [
        {
            "employee_id": "E1",
            "period_start": start,
            "period_end": "2026-06-30",
            "score": score,
            "scored_by": "E4",
            "comment": "",
            "updated_at": TS,
        }
        for start, score in (("2026-01-01", "1.10"), ("2026-04-01", "2.50"))
    ]
    world["hr/commission_adjustments"] = [
        {
            "adjustment_id": f"ADJ-{i}",
            "employee_id": "E1",
            "pay_period": period,
            "amount": "100.00",
            "currency": "USD",
            "reason": "correction",
            "entered_by": "E4",
            "approved_by": "E4",
            "updated_at": TS,
        }
        for i, period in ((1, "2026-09"), (2, "2026-13"), (3, "2026-10"))
    ]
    world["billing/invoices"][0]["status"] = "draft"
    world["billing/payments"][0]["method"] = "cash"
    world["billing/credit_notes"][0]["reason"] = "goodwill"
    world["billing/invoice_lines"][0]["service_period_end"] = "2020-01-01"
    return world


def test_the_gate_finds_what_great_expectations_finds(db, isolated_home, tmp_path) -> None:
    """GX 1.24 runs the same suites on the same data: every rule's counts and verdict, and
    every failing row, must agree with the gate's SQL."""
    from commissions.quality.gx_run import run_suites

    load_world(dirty_world(), tmp_path, db)
    with pytest.raises(QualityGateBlocked) as err:  # the lower-case FX code blocks
        run_gate(db, run_label="vs-gx")
    gate_run_id = err.value.result.gate_run_id
    with warehouse.connect(db) as conn:
        currencies = fx_currencies(conn)
    gx = run_suites(
        db, load_suites(paths().expectations), run_name="vs-gx", expectation_parameters={"fx_currencies": currencies}
    )

    ours = {
        (t, r): (success, element, unexpected, percent, observed, details)
        for t, r, success, element, unexpected, percent, observed, details in rows(
            db,
            "select table_name, rule_name, success, element_count, unexpected_count, unexpected_percent, "
            "observed_value, details from dq.expectation_results where gate_run_id = %s",
            (gate_run_id,),
        )
    }
    quarantined: dict[tuple[str, str], set[int]] = {}
    for t, r, row_id in rows(
        db, "select table_name, rule_name, row_id from dq.quarantine where gate_run_id = %s", (gate_run_id,)
    ):
        quarantined.setdefault((t, r), set()).add(row_id)

    checked_failing = set()
    for suite in load_suites(paths().expectations):
        results = {r.expectation_config.meta["rule"]: r for r in gx.results[suite.name]}
        for rule in suite.rules:
            key = (suite.name, rule.name)
            result, (_, element, unexpected, percent, observed, details) = results[rule.name], ours[key]
            data = result.result
            assert not result.exception_info.get("raised_exception"), (key, result.exception_info)
            if not rule.row_level:
                assert details["gx_success"] == bool(result.success), key
                assert json.loads(observed) == data["observed_value"], key
                continue
            if rule.expectation_type == "unexpected_rows_expectation":
                assert unexpected == data["observed_value"], key
                query = rule.kwargs["unexpected_rows_query"].replace("{batch}", current_view_name(suite.table))
                expected_rows = {r[0] for r in rows(db, f"select distinct q._row_id from ({query}) q")}
            else:
                # GX leaves the count out on an empty table; the gate counts 0 (as it always recorded).
                assert (element, unexpected) == (data["element_count"], data["unexpected_count"] or 0), key
                assert details["gx_success"] == bool(result.success), key
                if data["unexpected_percent"] is None:
                    assert percent is None or unexpected == 0, key
                else:
                    assert float(percent) == pytest.approx(data["unexpected_percent"]), key
                if rule.expectation_type == "expect_compound_columns_to_be_unique":
                    continue  # GX's index query for it does not run on PostgreSQL; see the test below
                # The failing keys GX lists (the world is small enough for the list to be whole).
                expected_rows = {int(k["_row_id"]) for k in data.get("unexpected_index_list") or []}
                assert len(expected_rows) == unexpected, key
            assert quarantined.get(key, set()) == expected_rows, key
            if expected_rows:
                checked_failing.add(rule.expectation_type)
    # The world exercised a failure of every kind of row-level expectation the suites use.
    assert checked_failing == {
        r.expectation_type
        for s in load_suites(paths().expectations)
        for r in s.rules
        if r.row_level and r.expectation_type != "expect_compound_columns_to_be_unique"
    }
    jobs = row_ids(db, "raw_hr.job_history", "employee_id = 'E1'")
    assert quarantined[("hr.job_history", "primary_key_unique")] == jobs and len(jobs) == 2
    quotas = row_ids(db, "raw_hr.quotas", "employee_id = 'E1' and period_start = '2026-05-01'")
    assert quarantined[("hr.quotas", "primary_key_unique")] == quotas and len(quotas) == 2


def _suites_with(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suite: str, *extra: dict) -> None:
    """A copy of expectations/ where one suite has extra expectations."""
    directory = tmp_path / "expectations"
    directory.mkdir()
    for path in paths().expectations.glob("*.json"):
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc["name"] == suite:
            doc["expectations"] += list(extra)
        (directory / path.name).write_text(json.dumps(doc), encoding="utf-8")
    monkeypatch.setenv("COMMISSIONS_EXPECTATIONS_DIR", str(directory))


def _rule(rule: str, kind: str, **kwargs: object) -> dict:
    return {"type": kind, "kwargs": kwargs, "meta": {"rule": rule, "severity": "warning", "description": rule}}


def test_a_rule_that_cannot_be_evaluated_blocks_with_its_error_and_the_others_still_count(
    db, isolated_home, tmp_path, monkeypatch
) -> None:
    _suites_with(
        tmp_path,
        monkeypatch,
        "crm.opportunities",
        _rule("bad_regex", "expect_column_values_to_match_regex", column="stage", regex="(", mostly=0.95),
        _rule("no_such_column", "expect_column_values_to_not_be_null", column="colour", mostly=0.95),
    )
    world = clean_world()
    opportunity(world, "OPP-0013")["amount"] = "-250.00"
    load_world(world, tmp_path, db)

    with pytest.raises(QualityGateBlocked) as err:
        run_gate(db, run_label="broken-rule")

    message = str(err.value)
    assert "crm.opportunities: bad_regex [warning] could not be evaluated: ERROR: invalid regular expression" in message
    assert (
        "crm.opportunities: no_such_column [warning] could not be evaluated: column(s) colour do not exist" in message
    )
    gate_run_id = err.value.result.gate_run_id
    assert err.value.result.blocking_failures == 2
    # The table's other rules were evaluated, in the same scan that the broken one spoilt.
    negative = row_ids(db, "raw_crm.opportunities", "opportunity_id = 'OPP-0013'")
    assert held(db, gate_run_id) == {("crm.opportunities", r, "amount_not_negative") for r in negative}
    assert rows(
        db,
        "select rule_name, severity, success, details->>'outcome' from dq.expectation_results "
        "where gate_run_id = %s and (not success) order by rule_name",
        (gate_run_id,),
    ) == [
        ("amount_not_negative", "warning", False, "warned"),
        ("bad_regex", "blocking", False, "blocked"),
        ("no_such_column", "blocking", False, "blocked"),
    ]


@pytest.mark.parametrize(
    ("extra", "refusal"),
    [
        (
            _rule("amount_mean", "expect_column_mean_to_be_between", column="amount", min_value=0),
            "expect_column_mean_to_be_between is not one the gate evaluates in SQL",
        ),
        (
            _rule("stage_won", "expect_column_values_to_be_in_set", column="stage", value_set=["x"], row_condition="y"),
            "does not take ['row_condition'] in the gate",
        ),
    ],
)
def test_an_expectation_the_sql_does_not_cover_is_refused_before_a_run_opens(
    db, isolated_home, tmp_path, monkeypatch, *, extra: dict, refusal: str
) -> None:
    from commissions.quality.suites import SuiteError

    _suites_with(tmp_path, monkeypatch, "crm.opportunities", extra)

    with pytest.raises(SuiteError, match=refusal.replace("[", r"\[").replace("]", r"\]")):
        run_gate(db, run_label="unsupported")
    assert rows(db, "select count(*) from dq.gate_runs") == [(0,)]


def test_a_query_rule_with_not_in_a_subquery_is_refused(tmp_path, monkeypatch) -> None:
    from commissions.quality.suites import SuiteError

    query = "with b as (select * from {batch}) select b._row_id from b where b.account_id not in (select 1)"
    _suites_with(tmp_path, monkeypatch, "crm.opportunities", _rule("slow", "unexpected_rows_expectation"))
    path = tmp_path / "expectations" / "crm.opportunities.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["expectations"][-1]["kwargs"] = {"unexpected_rows_query": query}
    path.write_text(json.dumps(doc), encoding="utf-8")

    with pytest.raises(
        SuiteError, match=r"crm.opportunities.json: expectation \d+ .*: write not exists .* instead of not in"
    ):
        load_suites(paths().expectations)


def test_data_docs_are_rendered_on_request_for_a_gate_run(db, isolated_home, tmp_path) -> None:
    from commissions.quality.gx_run import build_data_docs

    load_world(clean_world(), tmp_path, db)
    result = run_gate(db, run_label="docs")
    assert not (paths().data_docs / "index.html").exists()

    index = build_data_docs(db, result.gate_run_id)

    assert index == paths().data_docs / "index.html" and index.exists()
    assert "crm.opportunities" in index.read_text(encoding="utf-8")
    assert rows(db, "select data_docs_path from dq.gate_runs where gate_run_id = %s", (result.gate_run_id,)) == [
        (str(index),)
    ]
