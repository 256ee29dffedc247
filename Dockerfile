# Airflow image with this project's pinned dependencies. docker-compose.yml builds it.
# The commissions package itself is not installed: it comes from the mounted plugins/
# folder, which Airflow puts on the import path, so code changes need no rebuild.
FROM apache/airflow:3.3.2-python3.11

COPY --chown=airflow:root requirements.lock /opt/commissions/requirements.lock
RUN pip install --no-cache-dir -r /opt/commissions/requirements.lock

ENV AIRFLOW__COSMOS__ENABLE_TELEMETRY=False \
    DBT_SEND_ANONYMOUS_USAGE_STATS=False \
    DO_NOT_TRACK=1 \
    COMMISSIONS_REPO_ROOT=/opt/airflow
