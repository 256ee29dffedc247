"""Connection strings: a password with a quote, a backslash, a space or `@`, and libpq
options such as ?sslmode=require, reach psycopg2, SQLAlchemy, psql and dbt intact."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import psycopg2.extensions
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from commissions import warehouse

NASTY_PASSWORD = "it's a \\ pass word@host:1/db?x=1#frag%20+"
NASTY_USER = "o'brien user"
CLI = str(Path(sys.executable).with_name("commissions"))


def _psql() -> Path:
    import pgserver

    return Path(pgserver.__file__).parent / "pginstall" / "bin" / "psql"


def test_a_nasty_password_and_sslmode_round_trip_through_every_form() -> None:
    wh = warehouse.Warehouse(
        "db.example.com", 6543, NASTY_USER, NASTY_PASSWORD, "comm db", False, (("sslmode", "require"),)
    )
    expected = {
        "host": "db.example.com",
        "port": "6543",
        "user": NASTY_USER,
        "password": NASTY_PASSWORD,
        "dbname": "comm db",
        "sslmode": "require",
    }
    assert psycopg2.extensions.parse_dsn(wh.libpq_dsn) == expected
    assert psycopg2.extensions.parse_dsn(wh.url) == expected  # libpq's own URI parser
    url = make_url(wh.sqlalchemy_url)
    assert (url.drivername, url.username, url.password, url.host, url.port, url.database) == (
        "postgresql+psycopg2",
        NASTY_USER,
        NASTY_PASSWORD,
        "db.example.com",
        6543,
        "comm db",
    )
    assert dict(url.query) == {"sslmode": "require"}
    assert warehouse.parse_url(wh.url) == wh
    assert warehouse.parse_url(wh.sqlalchemy_url) == wh


def test_a_socket_directory_with_a_space_stays_in_the_query() -> None:
    wh = warehouse.Warehouse("/var/run/my pg", 5432, "postgres", "", "commissions", True)
    assert wh.url == "postgresql://postgres@/commissions?host=/var/run/my%20pg&port=5432"
    assert psycopg2.extensions.parse_dsn(wh.url)["host"] == "/var/run/my pg"
    assert make_url(wh.sqlalchemy_url).query == {"host": "/var/run/my pg", "port": "5432"}
    assert warehouse.parse_url(wh.sqlalchemy_url, embedded=True) == wh


def test_query_options_of_a_url_are_kept_for_libpq_and_dbt() -> None:
    wh = warehouse.parse_url("postgresql://etl:s%40cret@db.internal:6543/comp?sslmode=require&connect_timeout=10")
    assert (wh.host, wh.port, wh.user, wh.password, wh.dbname) == ("db.internal", 6543, "etl", "s@cret", "comp")
    assert dict(wh.options) == {"sslmode": "require", "connect_timeout": "10"}
    assert psycopg2.extensions.parse_dsn(wh.libpq_dsn)["sslmode"] == "require"
    assert make_url(wh.sqlalchemy_url).query["sslmode"] == "require"
    assert wh.dbt_env()["COMMISSIONS_PGSSLMODE"] == "require"
    assert "COMMISSIONS_PGSSLMODE" not in warehouse.parse_url("postgresql://etl@db/comp").dbt_env()
    # libpq keeps a plus in a query value as a plus
    assert dict(warehouse.parse_url("postgresql://u@h/d?application_name=a+b").options) == {"application_name": "a+b"}


def test_an_airflow_connection_extra_gives_its_libpq_options(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COMMISSIONS_WAREHOUSE_URL", raising=False)
    spec = {
        "conn_type": "postgres",
        "host": "db",
        "port": 5432,
        "login": "etl",
        "password": NASTY_PASSWORD,
        "schema": "comp",
        "extra": {"sslmode": "verify-full", "cursor": "dictcursor"},
    }
    monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE", json.dumps(spec))
    wh = warehouse.resolve()
    assert wh.password == NASTY_PASSWORD and wh.options == (("sslmode", "verify-full"),)
    monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE", "postgres://etl:pw@db:5432/comp?sslmode=require&cursor=dictcursor")
    assert warehouse.resolve().options == (("sslmode", "require"),)


@pytest.fixture
def nasty_role(embedded_server: warehouse.Warehouse) -> Iterator[warehouse.Warehouse]:
    """A role with a nasty password that the embedded server really asks for (scram over its socket)."""
    admin = psycopg2.connect(embedded_server.libpq_dsn)
    admin.set_isolation_level(psycopg2.extensions.ISOLATION_LEVEL_AUTOCOMMIT)
    with admin.cursor() as cur:
        cur.execute("select rolname from pg_roles where rolname = %s", (NASTY_USER,))
        if cur.fetchone() is None:
            role = NASTY_USER.replace('"', '""')
            cur.execute(f'create role "{role}" login password %s', (NASTY_PASSWORD,))
        cur.execute("show hba_file")
        hba = Path(cur.fetchone()[0])
        original = hba.read_text()
        # first match wins: this role alone must give its password on the socket
        hba.write_text(f'local all "{NASTY_USER}" scram-sha-256\n' + original)
        cur.execute("select pg_reload_conf()")
    try:
        yield warehouse.Warehouse(
            embedded_server.host, embedded_server.port, NASTY_USER, NASTY_PASSWORD, embedded_server.dbname, False
        )
    finally:
        with admin.cursor() as cur:
            hba.write_text(original)
            cur.execute("select pg_reload_conf()")
        admin.close()


def test_the_nasty_password_logs_in_with_psycopg2_sqlalchemy_and_psql(nasty_role: warehouse.Warehouse) -> None:
    wrong = warehouse.Warehouse(nasty_role.host, nasty_role.port, nasty_role.user, "nope", nasty_role.dbname, False)
    with pytest.raises(psycopg2.OperationalError, match="password authentication failed"):
        psycopg2.connect(wrong.libpq_dsn).close()
    with warehouse.connect(nasty_role) as conn, conn.cursor() as cur:
        cur.execute("select current_user")
        assert cur.fetchone() == (NASTY_USER,)
    with warehouse.engine(nasty_role).connect() as conn:
        assert conn.execute(sa.text("select current_user")).scalar() == NASTY_USER
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    psql = subprocess.run(
        [str(_psql()), nasty_role.url, "-Atc", "select current_user"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (psql.returncode, psql.stdout.strip()) == (0, NASTY_USER), psql.stderr


def test_warehouse_url_prints_only_a_url_psql_accepts(embedded_server: warehouse.Warehouse, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMMISSIONS_", "AIRFLOW_CONN", "PG"))}
    env |= {"COMMISSIONS_HOME": str(tmp_path / "var"), "COMMISSIONS_PGDATA": embedded_server.host}
    url = subprocess.run([CLI, "warehouse", "url"], env=env, capture_output=True, text=True, check=True).stdout
    assert (
        url
        == f"postgresql://{embedded_server.user}@/commissions?host={embedded_server.host}&port={embedded_server.port}\n"
    )
    psql = subprocess.run(
        [str(_psql()), url.strip(), "-Atc", "select 1"], env=env, capture_output=True, text=True, check=False
    )
    assert (psql.returncode, psql.stdout) == (0, "1\n"), psql.stderr
    alchemy = subprocess.run(
        [CLI, "warehouse", "url", "--sqlalchemy"], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert alchemy.startswith("postgresql+psycopg2://") and alchemy.count("\n") == 1
    assert warehouse.parse_url(alchemy.strip()) == warehouse.parse_url(url.strip())
