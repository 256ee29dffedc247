"""Malformed landing files, generated from a fixed seed, against the real loader and the
embedded PostgreSQL: each either loads exactly the records a reference reader finds, or
is refused with a LoadError naming the file. Never a traceback of another kind, never a
partial load, never a lost file.

`make test` runs FUZZ_CASES cases (default 40) from FUZZ_SEED (default 13); `make fuzz`
runs many more.
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from commissions import load, warehouse

CASES = int(os.environ.get("FUZZ_CASES", "40"))
SEED = int(os.environ.get("FUZZ_SEED", "13"))

USERS_HEADER = ["user_id", "employee_number", "full_name", "email", "title", "is_active", "last_modified_at"]
PAYMENT_KEYS = ["payment_id", "invoice_id", "payment_date", "currency", "amount", "method", "updated_at"]


def _users(rng: random.Random, count: int) -> list[list[str]]:
    return [
        [f"U{i}", f"E{i}", f"Person {i}", f"p{i}@x.com", rng.choice(["AE", "AM", "SE"]), "true", "2026-01-01T00:00:00Z"]
        for i in range(1, count + 1)
    ]


def _csv_text(header: list[str], rows: list[list[str]], newline: str = "\n") -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator=newline).writerows([header, *rows])
    return out.getvalue()


def _payments(count: int) -> list[dict[str, object]]:
    return [
        {
            "payment_id": f"P{i}",
            "invoice_id": f"I{i}",
            "payment_date": "2026-01-05",
            "currency": "USD",
            "amount": f"{i}00.25",
            "method": "wire",
            "updated_at": "2026-01-05T00:00:00Z",
        }
        for i in range(1, count + 1)
    ]


#: Each mutation: (name, function of (rng, valid bytes) -> bytes). The valid file is a
#: users.csv or a payments.jsonl of a few records.
Mutation = Callable[[random.Random, bytes], bytes]


def _truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(1, len(data))]


def _garbage(rng: random.Random, data: bytes) -> bytes:
    return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400)))


def _splice_garbage(rng: random.Random, data: bytes) -> bytes:
    at = rng.randrange(len(data))
    return data[:at] + bytes(rng.randrange(256) for _ in range(rng.randrange(1, 20))) + data[at:]


def _non_utf8(rng: random.Random, data: bytes) -> bytes:
    at = rng.randrange(len(data))
    return data[:at] + b"\xff\xfe\xc3" + data[at:]


def _wrong_delimiter(rng: random.Random, data: bytes) -> bytes:
    return data.replace(b",", rng.choice([b";", b"\t", b"|"]))


def _bom(rng: random.Random, data: bytes) -> bytes:
    return b"\xef\xbb\xbf" + data


def _crlf(rng: random.Random, data: bytes) -> bytes:
    return data.replace(b"\n", b"\r\n")


def _open_quote(rng: random.Random, data: bytes) -> bytes:
    lines = data.split(b"\n")
    at = rng.randrange(len(lines))
    lines[at] = lines[at] + b',"unterminated'
    return b"\n".join(lines)


def _huge_field(rng: random.Random, data: bytes) -> bytes:
    return data.replace(b"Person 1", b"P" * (10 * 1024 * 1024), 1).replace(b'P1"', b"P" * (10 * 1024 * 1024), 1)


def _duplicate_first_line(rng: random.Random, data: bytes) -> bytes:
    first, _, rest = data.partition(b"\n")
    return first + b"\n" + first + b"\n" + rest


def _duplicate_run(rng: random.Random, data: bytes) -> bytes:
    lines = data.rstrip(b"\n").split(b"\n")
    return b"\n".join([*lines, *([lines[-1]] * rng.randrange(100, 3000))]) + b"\n"


def _formula(rng: random.Random, data: bytes) -> bytes:
    """Spreadsheet formulas in text fields are valid data: they load as text, as sent."""
    csv_field, json_string = rng.choice(
        [
            (
                b'"=HYPERLINK(""http://evil.example/x"",""Click"")"',
                b'=HYPERLINK(\\"http://evil.example/x\\",\\"Click\\")',
            ),
            (b"+cmd|' /C calc'!A0", b"+cmd|' /C calc'!A0"),
            (b"@SUM(1)", b"@SUM(1)"),
        ]
    )
    return data.replace(b"Person 2", csv_field, 1).replace(b"wire", json_string, 1)


def _bad_value(rng: random.Random, data: bytes) -> bytes:
    swaps = [
        (b"2026-01-01T00:00:00Z", [b"01/01/2026", b"2026-01-01", b"Jan 1 2026 10:00", b"2026-01-01T25:00:00Z"]),
        (b"2026-01-05", [b"05/01/2026", b"2026-13-05", b"2026-02-30", b"20260105"]),
        (b"00.25", [b"e3", b"00.25e1", b",000.25", b"00.25 "]),
        (b"true", [b"yes", b"1", b"TRUE", b"t"]),
    ]
    old, choices = rng.choice([swap for swap in swaps if swap[0] in data])
    return data.replace(old, rng.choice(choices), 1)


def _drop_column(rng: random.Random, data: bytes) -> bytes:
    if data.startswith(b"{"):
        return data.replace(b', "method": "wire"', b"", 1)
    lines = data.split(b"\n")
    at = rng.randrange(1, len(lines) - 1)
    lines[at] = lines[at].rpartition(b",")[0]
    return b"\n".join(lines)


MUTATIONS: dict[str, Mutation] = {
    "truncate": _truncate,
    "garbage": _garbage,
    "splice_garbage": _splice_garbage,
    "non_utf8": _non_utf8,
    "wrong_delimiter": _wrong_delimiter,
    "bom": _bom,
    "crlf": _crlf,
    "open_quote": _open_quote,
    "huge_field": _huge_field,
    "duplicate_first_line": _duplicate_first_line,
    "duplicate_run": _duplicate_run,
    "formula": _formula,
    "bad_value": _bad_value,
    "drop_column": _drop_column,
}


#: What each mutation must give: a valid file that loads, or one refused whole; the
#: others (a cut or spliced file) may be either, and are checked for that.
MUST_LOAD = {"bom", "crlf", "formula", "duplicate_run"}
MUST_REFUSE = {
    "garbage",
    "non_utf8",
    "wrong_delimiter",
    "open_quote",
    "huge_field",
    "duplicate_first_line",
    "bad_value",
    "drop_column",
}


def _reference_records(file_format: str, data: bytes) -> int | None:
    """How many records a strict reader finds in the file, None when it finds it malformed.
    Used only to check a file that loaded: the count the control file declares."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if file_format == "csv":
        rows = list(csv.reader(io.StringIO(text, newline="")))
        return len(rows) - 1 if rows else None
    return sum(1 for line in text.splitlines() if line.strip())


def _cases() -> list[tuple[int, str, str]]:
    rng = random.Random(SEED)
    names = sorted(MUTATIONS)
    cases = [(i, names[i % len(names)], rng.choice(["csv", "jsonl"])) for i in range(CASES)]
    return cases


def _count(wh: warehouse.Warehouse, table: str) -> int:
    with warehouse.connect(wh) as conn, conn.cursor() as cur:
        cur.execute(f"select count(*) from {table}")
        return int(cur.fetchone()[0])


@pytest.mark.parametrize("case", _cases(), ids=lambda case: f"{case[0]}-{case[1]}-{case[2]}")
def test_a_malformed_file_is_refused_whole_or_loaded_whole(
    db, isolated_home, tmp_path: Path, case: tuple[int, str, str]
) -> None:
    number, mutation, file_format = case
    rng = random.Random(SEED * 100_003 + number)
    if file_format == "csv":
        system, name, table = "crm", "users.csv", "raw_crm.users"
        valid = _csv_text(USERS_HEADER, _users(rng, rng.randrange(2, 8))).encode()
    else:
        system, name, table = "billing", "payments.jsonl", "raw_billing.payments"
        valid = b"".join(json.dumps(p).encode() + b"\n" for p in _payments(rng.randrange(2, 8)))
    data = MUTATIONS[mutation](rng, valid)
    path = tmp_path / "landing" / system / name
    path.parent.mkdir(parents=True)
    path.write_bytes(data)
    # the source's control file states the records it sent (a run of duplicates is what it
    # sent; the other mutations happened on the way): a cut file is caught
    sent = _reference_records(file_format, data if mutation == "duplicate_run" else valid)
    path.with_name(name + load.CONTROL_SUFFIX).write_text(json.dumps({"rows": sent}), encoding="utf-8")

    before = _count(db, table) if _table_exists(db, table) else 0
    try:
        results = load.load_system(system, f"fuzz{number}", landing=tmp_path / "landing", wh=db)
    except load.LoadError as refused:
        assert mutation not in MUST_LOAD, f"{mutation} is a valid file: {refused}"
        assert name in str(refused), str(refused)
        assert path.read_bytes() == data, "a refused file stays in landing as it came"
        assert _count(db, table) == before, "nothing of a refused file is loaded"
        return
    assert mutation not in MUST_REFUSE, f"{mutation} loaded: {results}"
    loaded = [r for r in results if r.file_name == name]
    assert loaded and loaded[0].status == "loaded", results
    assert loaded[0].rows_in_file == sent == _reference_records(file_format, data), (mutation, loaded)
    assert _count(db, table) == before + loaded[0].rows_inserted
    assert not path.exists() and Path(loaded[0].archived_to or "").read_bytes() == data, "archived, never lost"


def _table_exists(wh: warehouse.Warehouse, table: str) -> bool:
    with warehouse.connect(wh) as conn, conn.cursor() as cur:
        cur.execute("select to_regclass(%s) is not null", (table,))
        return bool(cur.fetchone()[0])
