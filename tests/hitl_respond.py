"""Answer a human-in-the-loop task of the local Airflow through Airflow's own REST API, as the UI does.

Run as a script with COMMISSIONS_HOME set (the Airflow home `commissions run` uses):
`python tests/hitl_respond.py RUN_ID TASK_ID OPTION USER [REASON]`. It serves Airflow's API app
(`airflow.api_fastapi.app.create_app`, the app `airflow api-server` serves) in this process
against the run's metadata database, logs in as USER through the simple auth manager
(`POST /auth/token`) and sends `PATCH /api/v2/dags/.../taskInstances/TASK_ID/-1/hitlDetails`.
Prints the API's JSON answer.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

from commissions import local_airflow, warehouse

PASSWORD = "hitl-test-password"


def main(run_id: str, task_id: str, option: str, user: str, reason: str | None = None) -> int:
    if "AIRFLOW_HOME" not in os.environ:
        # Airflow reads parts of its configuration when the process starts: start again with
        # the environment `commissions run` gives Airflow, plus a user who may log in.
        passwords = Path(tempfile.mkdtemp(prefix="hitl-")) / "passwords.json"
        passwords.write_text(json.dumps({user: PASSWORD}), encoding="utf-8")
        env = local_airflow.airflow_env(warehouse.resolve()) | _login_env(user, passwords)
        os.execve(sys.executable, [sys.executable, *sys.argv], env)
    from airflow.api_fastapi.app import create_app
    from fastapi.testclient import TestClient

    with TestClient(create_app(apps="core")) as client:
        login = client.post("/auth/token", json={"username": user, "password": PASSWORD})
        login.raise_for_status()
        token = login.json()["access_token"]
        answer = client.patch(
            f"/api/v2/dags/{local_airflow.DAG_ID}/dagRuns/{run_id}/taskInstances/{task_id}/-1/hitlDetails",
            headers={"Authorization": f"Bearer {token}"},
            json={"chosen_options": [option], "params_input": {"reason": reason} if reason is not None else {}},
        )
    print(json.dumps({"status": answer.status_code, "body": answer.json()}))
    return 0 if answer.status_code == 200 else 1


def _login_env(user: str, passwords: Path) -> dict[str, str]:
    return {
        "AIRFLOW__CORE__AUTH_MANAGER": "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{user}:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
        "AIRFLOW__API_AUTH__JWT_SECRET": "hitl-test-secret-" + "x" * 48,
        "AIRFLOW__API__EXPOSE_STACKTRACE": "True",
    }


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
