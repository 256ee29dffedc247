"""Turn numpy columns into the text the contracts ask for, and write CSV and JSONL files.

Every column is kept as a numpy array of variable-width strings (`StringDType`) with
the empty string meaning null, so a million rows format with vectorised string
ufuncs instead of a Python loop per row. Money stays in integer minor units until
`money()` writes it as an exact decimal: no float ever reaches a file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from commissions.contracts import SourceTable
from commissions.load import control_file

STR = np.dtypes.StringDType()
SECONDS_PER_DAY = 86_400
_ROWS_PER_CHUNK = 200_000
_NUMERIC_TYPES = ("numeric", "integer", "bigint")

_TIMES_OF_DAY = np.datetime_as_string(np.arange(SECONDS_PER_DAY).astype("datetime64[s]"), unit="s")
_TIMES_OF_DAY = np.strings.slice(_TIMES_OF_DAY.astype(STR), 10, None)  # 'T14:05:00'
_TWO_DIGITS = np.array([f"{i:02d}" for i in range(100)], dtype=STR)


def text(values: np.ndarray | list) -> np.ndarray:
    return np.asarray(values).astype(STR)


def integers(values: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=np.int64).astype(STR)


def dates(days: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 -> 'YYYY-MM-DD'; negative values mean null."""
    days = np.asarray(days, dtype=np.int64)
    if days.size == 0:
        return np.array([], dtype=STR)
    valid = days >= 0
    low = int(days[valid].min()) if valid.any() else 0
    high = int(days[valid].max()) if valid.any() else 0
    lookup = np.datetime_as_string(np.arange(low, high + 1).astype("datetime64[D]")).astype(STR)
    out = lookup[np.clip(days - low, 0, high - low)]
    out[~valid] = ""
    return out


def timestamps(seconds: np.ndarray) -> np.ndarray:
    """Seconds since the epoch (UTC) -> '2026-10-03T14:05:00+00:00'."""
    seconds = np.asarray(seconds, dtype=np.int64)
    day_part = dates(seconds // SECONDS_PER_DAY)
    return np.strings.add(np.strings.add(day_part, _TIMES_OF_DAY[seconds % SECONDS_PER_DAY]), "+00:00")


def money(minor: np.ndarray, decimals: np.ndarray | int) -> np.ndarray:
    """Integer minor units -> exact decimal text: 123456 -> '1234.56' (2 places) or '123456' (0)."""
    minor = np.asarray(minor, dtype=np.int64)
    decimals = np.broadcast_to(np.asarray(decimals, dtype=np.int64), minor.shape)
    sign = np.where(minor < 0, "-", "").astype(STR)
    magnitude = np.abs(minor)
    cents = np.strings.add(
        np.strings.add((magnitude // 100).astype(STR), "."),
        _TWO_DIGITS[magnitude % 100],
    )
    whole = magnitude.astype(STR)
    return np.strings.add(sign, np.where(decimals == 0, whole, cents))


def fixed(values_scaled: np.ndarray, places: int) -> np.ndarray:
    """Non-negative integers scaled by 10**places -> decimal text with `places` places."""
    values_scaled = np.asarray(values_scaled, dtype=np.int64)
    scale = 10**places
    frac = np.strings.zfill((values_scaled % scale).astype(STR), places)
    return np.strings.add(np.strings.add((values_scaled // scale).astype(STR), "."), frac)


def booleans(values: np.ndarray) -> np.ndarray:
    return np.where(np.asarray(values, dtype=bool), "true", "false").astype(STR)


def _contains_any(values: np.ndarray, characters: str) -> bool:
    """Whether any value holds any of the characters (one pass over the joined text)."""
    joined = "\x00".join(values.tolist())
    return any(ch in joined for ch in characters)


def _csv_field(values: np.ndarray) -> np.ndarray:
    """Quote a field the way RFC 4180 wants when it holds a comma, quote or line break."""
    if not _contains_any(values, ',"\n\r'):
        return values
    needs_quotes = (
        (np.strings.find(values, ",") >= 0)
        | (np.strings.find(values, '"') >= 0)
        | (np.strings.find(values, "\n") >= 0)
        | (np.strings.find(values, "\r") >= 0)
    )
    quoted = np.strings.add(np.strings.add('"', np.strings.replace(values, '"', '""')), '"')
    return np.where(needs_quotes, quoted, values)


def _json_field(name: str, values: np.ndarray, pg_type: str) -> np.ndarray:
    key = f'"{name}": '
    if pg_type in _NUMERIC_TYPES or pg_type == "boolean":
        body = values
    else:
        if _contains_any(values, "".join(map(chr, range(1, 32)))):
            raise ValueError(f"{name}: control characters are not generated and not escaped here")
        if _contains_any(values, '\\"'):
            values_escaped = np.strings.replace(np.strings.replace(values, "\\", "\\\\"), '"', '\\"')
        else:
            values_escaped = values
        body = np.strings.add(np.strings.add('"', values_escaped), '"')
    body = np.where(values == "", "null", body)
    return np.strings.add(key, body)


def _row_count(table: SourceTable, columns: Mapping[str, np.ndarray]) -> int:
    if list(columns) != table.column_names:
        raise ValueError(f"{table.qualified_name}: columns {list(columns)} are not the contract's {table.column_names}")
    lengths = {len(v) for v in columns.values()}
    if len(lengths) != 1:
        raise ValueError(f"{table.qualified_name}: columns of different lengths {sorted(lengths)}")
    return lengths.pop()


def write_table(out_dir: Path, table: SourceTable, columns: Mapping[str, np.ndarray]) -> int:
    """Write one contract file under out_dir/<system>/; return the number of records."""
    n_rows = _row_count(table, columns)
    path = out_dir / table.system / table.file_name
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        if table.file_format == "csv":
            fh.write(",".join(table.column_names) + "\n")
        for start in range(0, n_rows, _ROWS_PER_CHUNK):
            chunk = slice(start, start + _ROWS_PER_CHUNK)
            if table.file_format == "csv":
                fields = [_csv_field(text(columns[c][chunk])) for c in table.column_names]
                separator, opening, closing = ",", "", ""
            else:
                fields = [_json_field(c.name, text(columns[c.name][chunk]), c.pg_type) for c in table.columns]
                separator, opening, closing = ", ", "{", "}"
            line = np.strings.add(opening, fields[0])
            for field in fields[1:]:
                line = np.strings.add(np.strings.add(line, separator), field)
            line = np.strings.add(line, closing)
            fh.write("\n".join(line.tolist()))
            fh.write("\n")
    if n_rows == 0 and table.file_format == "jsonl":
        # an empty JSON-lines file says nothing on its own: its control file says 0 records
        control_file(path).write_text(json.dumps({"rows": 0}) + "\n", encoding="utf-8")
    return n_rows
