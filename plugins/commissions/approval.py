"""The DAG's `approve_period` step: finance approves the run's pay period in the Airflow UI.

`PeriodApprovalOperator` is the standard provider's human-in-the-loop `ApprovalOperator`
(Approve / Reject, answered under "Required actions" in the UI or through the REST API
`PATCH /api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/approve_period/-1/hitlDetails`).
It asks only when there is something to approve:

- the run's `approved_by` parameter names someone (`make run`'s demo): the period is approved
  unattended through the lifecycle, nobody is asked;
- the period is not calculated (approved already with `commissions period approve`, or exported):
  nothing to ask, the export follows;
- the run's `ask_finance` parameter is false (`commissions run` on a laptop, where no UI
  answers): nothing is asked, the period stays calculated and the export is skipped;
- otherwise the task waits (Airflow 3.3: state `awaiting_input`) with the period's totals per
  currency, payees and change against the previous approved period. Approve records the
  approval through `commissions.close.lifecycle.approve`, as the CLI does, by the Airflow user
  who answered; Reject records the rejection and its reason, the period stays calculated and
  the provider skips the export.
"""

from __future__ import annotations

from typing import Any

from airflow.providers.standard.operators.hitl import ApprovalOperator
from airflow.sdk import Param
from airflow.sdk.definitions.param import ParamsDict

from commissions import tasks

REASON = "reason"


class PeriodApprovalOperator(ApprovalOperator):
    """Approve or reject the pay period `start_run` chose, in the UI; see the module's docstring."""

    def __init__(self, *, run_task_id: str = "start_run", **kwargs: Any) -> None:
        # The form finance fills in beside Approve / Reject; the DAG's own params come in `params`
        # too (Airflow merges them into every task's) and the provider leaves those out of the form.
        params = ParamsDict(kwargs.pop("params", None) or {})
        params[REASON] = Param(
            "",
            type=["null", "string"],
            title="Reason",
            description="Why the figures are rejected (recorded with the rejection).",
            source="task",
        )
        super().__init__(subject="Approve the pay period's commissions", params=params, **kwargs)
        self.run_task_id = run_task_id

    def _run(self, context: Any) -> dict[str, str]:
        run: dict[str, str] = context["ti"].xcom_pull(task_ids=self.run_task_id)
        return run

    def execute(self, context: Any) -> Any:
        run = self._run(context)
        approved_by = context["params"].get("approved_by")
        if approved_by or not context["params"].get("ask_finance", True):
            return tasks.approve_period(run["period"], approved_by, run["batch_id"])
        request = tasks.approval_request(run["period"])
        if request is None:  # not calculated: approved already (commissions period approve), or exported
            return tasks.approve_period(run["period"], None, run["batch_id"])  # logs its state and next step
        self.subject, self.body = request
        return super().execute(context)

    def execute_complete(self, context: Any, event: dict[str, Any]) -> Any:
        if "error" in event:  # no answer (a timeout, if one is set): the provider raises
            return super().execute_complete(context=context, event=event)
        # Record the answer first: on Reject the provider skips the export by raising (Airflow 3's
        # task runner skips downstream tasks through an exception), so nothing after it would run.
        self.validate_chosen_options(event["chosen_options"])
        run = self._run(context)
        recorded = tasks.record_finance_answer(
            run["period"],
            run["batch_id"],
            approved=event["chosen_options"] == [self.APPROVE],
            by=event["responded_by_user"]["name"],
            reason=(event["params_input"] or {}).get(REASON) or "",
        )
        super().execute_complete(context=context, event=event)
        return recorded
