"""The warehouse connection: your own PostgreSQL if configured, else an embedded one.

Resolution order, first match wins:
1. `COMMISSIONS_WAREHOUSE_URL` (any SQLAlchemy/libpq PostgreSQL URL);
2. the Airflow connection `warehouse` (e.g. `AIRFLOW_CONN_WAREHOUSE`), when running inside Airflow;
3. the embedded PostgreSQL 16 from the `pgserver` wheel, data under `var/pgdata`.

The embedded server listens on a unix socket only; its directory is passed as
`host`, which psycopg2, SQLAlchemy and dbt all accept.
"""

from __future__ import annotations

import json
import logging
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlencode, urlsplit

import psycopg2
import psycopg2.extensions
import sqlalchemy as sa
from psycopg2 import sql

from commissions.config import paths

log = logging.getLogger(__name__)

EMBEDDED_DATABASE = "commissions"


class WarehouseError(RuntimeError):
    """The warehouse cannot be reached or configured."""


#: Connection parameters libpq takes besides host, port, user, password and dbname that a
#: warehouse URL (`?sslmode=require&connect_timeout=10`) or an Airflow connection's extra
#: may carry. Other keys of an Airflow connection's extra (cursor, iam...) are Airflow's own.
LIBPQ_OPTIONS = frozenset(
    {
        "application_name",
        "channel_binding",
        "connect_timeout",
        "gssencmode",
        "keepalives",
        "keepalives_count",
        "keepalives_idle",
        "keepalives_interval",
        "options",
        "sslcert",
        "sslcrl",
        "sslkey",
        "sslmode",
        "sslpassword",
        "sslrootcert",
        "target_session_attrs",
    }
)

#: libpq options dbt_project/profiles.yml passes to dbt-postgres, and the variables it reads them from.
DBT_PROFILE_OPTIONS = {"sslmode": "COMMISSIONS_PGSSLMODE"}


@dataclass(frozen=True)
class Warehouse:
    """Connection parameters in the form every client we use understands.

    `options` are the other libpq parameters (sslmode, connect_timeout...) as (keyword,
    value) pairs, kept in the order they came; they reach psycopg2, SQLAlchemy and
    psql as given, and dbt for those its profile knows (sslmode).
    """

    host: str
    port: int
    user: str
    password: str
    dbname: str
    embedded: bool
    options: tuple[tuple[str, str], ...] = ()

    @property
    def on_socket(self) -> bool:
        """The host is a unix-socket directory (the embedded server), not a host name."""
        return self.host.startswith("/")

    def _sqlalchemy(self, drivername: str) -> sa.URL:
        # A socket directory cannot stand in the URL's host part: it goes in the query, as libpq's ?host=.
        socket = {"host": self.host, "port": str(self.port)} if self.on_socket else {}
        return sa.URL.create(
            drivername,
            username=self.user,
            password=self.password or None,
            host=None if self.on_socket else self.host,
            port=None if self.on_socket else self.port,
            database=self.dbname,
            query={**socket, **dict(self.options)},
        )

    @property
    def sqlalchemy_url(self) -> str:
        """`postgresql+psycopg2://...`, for SQLAlchemy (and Airflow's metadata database)."""
        return self._sqlalchemy("postgresql+psycopg2").render_as_string(hide_password=False)

    @property
    def url(self) -> str:
        """`postgresql://...`, as psql and libpq read it.

        The parts are SQLAlchemy's URL's, percent-encoded the way libpq decodes them:
        SQLAlchemy writes a space in the query as `+`, which libpq would keep as a plus.
        """
        url = self._sqlalchemy("postgresql")
        auth = quote(url.username or "", safe="")
        if url.password:
            auth += ":" + quote(str(url.password), safe="")
        where = "" if url.host is None else _url_host(url.host) + (f":{url.port}" if url.port else "")
        query = urlencode(list(url.query.items()), quote_via=quote, safe="/")
        return f"postgresql://{auth}@{where}/{quote(url.database or '', safe='')}" + (f"?{query}" if query else "")

    @property
    def libpq_dsn(self) -> str:
        """A libpq keyword/value connection string (psycopg2.connect)."""
        return psycopg2.extensions.make_dsn(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password or None,
            dbname=self.dbname,
            **dict(self.options),
        )

    def describe(self) -> str:
        where = "embedded PostgreSQL" if self.embedded else "PostgreSQL"
        options = "".join(f" {key}={value}" for key, value in self.options if key != "sslpassword")
        return f"{where} {self.user}@{self.host}:{self.port}/{self.dbname}{options}"

    def dbt_env(self) -> dict[str, str]:
        """Environment variables read by dbt_project/profiles.yml."""
        env = {
            "COMMISSIONS_PGHOST": self.host,
            "COMMISSIONS_PGPORT": str(self.port),
            "COMMISSIONS_PGUSER": self.user,
            "COMMISSIONS_PGPASSWORD": self.password,
            "COMMISSIONS_PGDATABASE": self.dbname,
        }
        options = dict(self.options)
        env.update({var: options[key] for key, var in DBT_PROFILE_OPTIONS.items() if key in options})
        return env


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else quote(host, safe="")


def _libpq_query(query: str) -> list[tuple[str, str]]:
    """A libpq URI's query: percent-decoded only (libpq keeps a `+` as a plus, unlike a form)."""
    pairs = []
    for item in filter(None, query.split("&")):
        key, _, value = item.partition("=")
        pairs.append((unquote(key), unquote(value)))
    return pairs


def parse_url(url: str, *, embedded: bool = False) -> Warehouse:
    """Parse postgres://, postgresql:// or postgresql+driver:// URLs; a socket directory in
    ?host= is allowed, and every other query parameter (sslmode=require...) is kept for libpq.

    A URL with a driver (`postgresql+psycopg2://`) is SQLAlchemy's and read as SQLAlchemy
    reads it; a plain one is libpq's and read as libpq reads it (the two differ on `+`).
    """
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise WarehouseError(f"warehouse URL is not a URL: {exc}") from None
    if not parsed.drivername.startswith("postgres"):
        raise WarehouseError(f"warehouse URL must be a PostgreSQL URL, got scheme {parsed.drivername!r}")
    if "+" in parsed.drivername:
        query = [(key, value) for key, values in parsed.query.items() for value in _values(values)]
    else:
        query = _libpq_query(urlsplit(url).query)
    params = dict(query)
    host = params.pop("host", "") or parsed.host or "localhost"
    port = int(params.pop("port", "") or parsed.port or 5432)
    return Warehouse(
        host=host,
        port=port,
        user=params.pop("user", "") or parsed.username or "postgres",
        password=params.pop("password", "") or parsed.password or "",
        dbname=params.pop("dbname", "") or parsed.database or "postgres",
        embedded=embedded,
        options=tuple(sorted(params.items())),
    )


def _values(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else value


def _libpq_options(extra: object) -> tuple[tuple[str, str], ...]:
    """The libpq parameters (sslmode...) in an Airflow connection's extra (a dict or its JSON)."""
    if isinstance(extra, str):
        extra = json.loads(extra) if extra.strip() else {}
    if not isinstance(extra, dict):
        return ()
    return tuple((key, str(value)) for key, value in extra.items() if key in LIBPQ_OPTIONS)


def _airflow_connection() -> Warehouse | None:
    """The `warehouse` Airflow connection: from its environment variable (URI or JSON form),
    else from Airflow itself when running inside a task."""
    env_value = os.environ.get("AIRFLOW_CONN_WAREHOUSE", "").strip()
    if env_value.startswith("{"):
        spec = json.loads(env_value)
        return Warehouse(
            host=spec.get("host") or "localhost",
            port=int(spec.get("port") or 5432),
            user=spec.get("login") or "postgres",
            password=spec.get("password") or "",
            dbname=spec.get("schema") or "postgres",
            embedded=False,
            options=_libpq_options(spec.get("extra")),
        )
    if env_value:
        wh = parse_url(env_value)
        return replace(wh, options=tuple((k, v) for k, v in wh.options if k in LIBPQ_OPTIONS))
    try:
        from airflow.sdk import Connection
    except ImportError:
        return None
    try:
        conn = Connection.get("warehouse")
    except Exception:
        return None
    return Warehouse(
        host=conn.host or "localhost",
        port=int(conn.port or 5432),
        user=conn.login or "postgres",
        password=conn.password or "",
        dbname=conn.schema or "postgres",
        embedded=False,
        options=_libpq_options(conn.extra_dejson),
    )


def _embedded() -> Warehouse:
    return embedded(paths().pgdata)


@lru_cache(maxsize=8)
def embedded(pgdata: Path) -> Warehouse:
    """The embedded server whose data directory is `pgdata`, started if needed."""
    import pgserver

    pgdata.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: keep the server running after this process exits, so the
    # Airflow tasks, dbt and the CLI share one server instead of each starting one.
    server = pgserver.get_server(pgdata, cleanup_mode=None)
    admin = parse_url(server.get_uri(), embedded=True)
    _ensure_database(admin, EMBEDDED_DATABASE)
    return replace(admin, dbname=EMBEDDED_DATABASE)


def stop_embedded(pgdata: Path | None = None) -> bool:
    """Fast shutdown of the embedded server (SIGINT to the postmaster). False if not running."""
    pid_file = (pgdata or paths().pgdata) / "postmaster.pid"
    if not pid_file.exists():
        return False
    pid = int(pid_file.read_text().split()[0])
    try:
        os.kill(pid, signal.SIGINT)
    except ProcessLookupError:
        return False
    embedded.cache_clear()
    return True


def _ensure_database(admin: Warehouse, dbname: str) -> None:
    conn = psycopg2.connect(admin.libpq_dsn)
    try:
        conn.set_isolation_level(psycopg2.extensions.ISOLATION_LEVEL_AUTOCOMMIT)
        with conn.cursor() as cur:
            cur.execute("select 1 from pg_database where datname = %s", (dbname,))
            if cur.fetchone() is None:
                cur.execute(f'create database "{dbname}"')
    finally:
        conn.close()


def resolve() -> Warehouse:
    """The warehouse this process should use (see module docstring for the order)."""
    url = os.environ.get("COMMISSIONS_WAREHOUSE_URL")
    if url:
        return parse_url(url)
    return _airflow_connection() or _embedded()


def ensure_database(warehouse: Warehouse, dbname: str) -> Warehouse:
    """Create `dbname` on the same server if missing and return a handle to it."""
    _ensure_database(warehouse, dbname)
    return replace(warehouse, dbname=dbname)


def recreate_database(warehouse: Warehouse, dbname: str) -> Warehouse:
    """Drop `dbname` on the same server (closing its sessions) and create it empty again."""
    conn = psycopg2.connect(warehouse.libpq_dsn)
    try:
        conn.set_isolation_level(psycopg2.extensions.ISOLATION_LEVEL_AUTOCOMMIT)
        with conn.cursor() as cur:
            cur.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(dbname)))
    finally:
        conn.close()
    return ensure_database(warehouse, dbname)


def engine(warehouse: Warehouse | None = None) -> sa.Engine:
    return sa.create_engine((warehouse or resolve()).sqlalchemy_url, future=True)


def one_row(cur: psycopg2.extensions.cursor) -> tuple[Any, ...]:
    """The row of a query that always returns one (an aggregate, `to_regclass`, `returning`)."""
    row = cur.fetchone()
    if row is None:
        raise WarehouseError(f"expected a row, got none from: {cur.query!r}")
    return row


@contextmanager
def connect(warehouse: Warehouse | None = None) -> Iterator[psycopg2.extensions.connection]:
    """A psycopg2 connection in a transaction: committed on success, rolled back on error."""
    conn = psycopg2.connect((warehouse or resolve()).libpq_dsn)
    try:
        with conn:
            yield conn
    finally:
        conn.close()
