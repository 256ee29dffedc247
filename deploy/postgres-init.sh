#!/usr/bin/env bash
# Run once by the postgres image when it initialises an empty data directory
# (/docker-entrypoint-initdb.d): creates the airflow and commissions users and databases
# with the passwords docker-compose.yml passes in, the ones the Airflow services use.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v airflow_password="${AIRFLOW_DB_PASSWORD:?}" \
  -v warehouse_password="${WAREHOUSE_PASSWORD:?}" \
  -f /opt/commissions/postgres-init.sql
