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
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

import psycopg2
import psycopg2.extensions
import sqlalchemy as sa

from commissions.config import paths

log = logging.getLogger(__name__)

EMBEDDED_DATABASE = "commissions"


class WarehouseError(RuntimeError):
    """The warehouse cannot be reached or configured."""


@dataclass(frozen=True)
class Warehouse:
    """Connection parameters in the form every client we use understands."""

    host: str
    port: int
    user: str
    password: str
    dbname: str
    embedded: bool

    @property
    def sqlalchemy_url(self) -> str:
        auth = quote(self.user, safe="")
        if self.password:
            auth += ":" + quote(self.password, safe="")
        if self.host.startswith("/"):
            return f"postgresql+psycopg2://{auth}@/{self.dbname}?host={quote(self.host, safe='/')}&port={self.port}"
        return f"postgresql+psycopg2://{auth}@{self.host}:{self.port}/{self.dbname}"

    @property
    def libpq_dsn(self) -> str:
        parts = {
            "host": self.host,
            "port": str(self.port),
            "user": self.user,
            "dbname": self.dbname,
        }
        if self.password:
            parts["password"] = self.password
        return " ".join(f"{k}='{v}'" for k, v in parts.items())

    def describe(self) -> str:
        where = "embedded PostgreSQL" if self.embedded else "PostgreSQL"
        return f"{where} {self.user}@{self.host}:{self.port}/{self.dbname}"

    def dbt_env(self) -> dict[str, str]:
        """Environment variables read by dbt_project/profiles.yml."""
        return {
            "COMMISSIONS_PGHOST": self.host,
            "COMMISSIONS_PGPORT": str(self.port),
            "COMMISSIONS_PGUSER": self.user,
            "COMMISSIONS_PGPASSWORD": self.password,
            "COMMISSIONS_PGDATABASE": self.dbname,
        }


def parse_url(url: str, *, embedded: bool = False) -> Warehouse:
    """Parse postgres://, postgresql:// or postgresql+driver:// URLs, socket host in ?host= allowed."""
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        raise WarehouseError(f"warehouse URL must be a PostgreSQL URL, got scheme {parts.scheme!r}")
    query = parse_qs(parts.query)
    host = query.get("host", [parts.hostname or "localhost"])[0]
    port = int(query.get("port", [parts.port or 5432])[0])
    dbname = unquote(parts.path.lstrip("/")) or "postgres"
    return Warehouse(
        host=host,
        port=port,
        user=unquote(parts.username or "postgres"),
        password=unquote(parts.password or ""),
        dbname=dbname,
        embedded=embedded,
    )


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
        )
    if env_value:
        return parse_url(env_value)
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
    return Warehouse(
        host=admin.host,
        port=admin.port,
        user=admin.user,
        password=admin.password,
        dbname=EMBEDDED_DATABASE,
        embedded=True,
    )


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
    return Warehouse(
        host=warehouse.host,
        port=warehouse.port,
        user=warehouse.user,
        password=warehouse.password,
        dbname=dbname,
        embedded=warehouse.embedded,
    )


def engine(warehouse: Warehouse | None = None) -> sa.Engine:
    return sa.create_engine((warehouse or resolve()).sqlalchemy_url, future=True)


@contextmanager
def connect(warehouse: Warehouse | None = None) -> Iterator[psycopg2.extensions.connection]:
    """A psycopg2 connection in a transaction: committed on success, rolled back on error."""
    conn = psycopg2.connect((warehouse or resolve()).libpq_dsn)
    try:
        with conn:
            yield conn
    finally:
        conn.close()
