"""Great Expectations itself, for Data Docs on demand: a file data context, the warehouse
as a PostgreSQL data source, one table asset per `*_current` view, and one checkpoint that
validates every suite inside PostgreSQL and renders Data Docs.

Not part of the gate's run: the gate evaluates the same suites in plain SQL (checks.py)
at a fraction of GX's cost. `commissions validate --data-docs` runs this after the gate;
the tests use it as the independent check that the gate finds what GX finds. Checked
against great-expectations 1.24.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from commissions import warehouse
from commissions.config import paths
from commissions.quality.suites import Suite, load_suites

if TYPE_CHECKING:
    from great_expectations.data_context.store.store import DataDocsSiteConfigTypedDict

log = logging.getLogger(__name__)

DATASOURCE = "warehouse"
DOCS_SITE = "commissions"
CHECKPOINT = "commissions_gate"
#: The connection string is a config variable substituted from the context's runtime
#: environment, so the password never lands in great_expectations.yml. (GX's Postgres
#: data source also rejects a literal URL whose host is a socket directory in ?host=.)
URL_VARIABLE = "COMMISSIONS_GX_WAREHOUSE_URL"
#: Keys of failing rows only (the raw _row_id), never whole rows; GX caps the lists at
#: partial_unexpected_count, the gate reads all failing keys through unexpected_index_query.
RESULT_FORMAT: dict[str, Any] = {
    "result_format": "COMPLETE",
    "unexpected_index_column_names": ["_row_id"],
    "partial_unexpected_count": 20,
    "return_unexpected_index_query": True,
}


def quiet_gx_logging() -> None:
    for name in ("great_expectations", "great_expectations.core", "great_expectations.data_context"):
        logging.getLogger(name).setLevel(logging.WARNING)


@dataclass(frozen=True)
class GxRun:
    #: suite name (e.g. crm.opportunities) -> GX ExpectationValidationResult objects
    results: dict[str, list[Any]]
    data_docs_index: Path | None


def _docs_site_config(directory: Path) -> dict[str, Any]:
    return {
        "class_name": "SiteBuilder",
        "show_how_to_buttons": False,
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(directory)},
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
    }


def open_context(wh: warehouse.Warehouse) -> Any:
    """The file data context under paths().gx_context, configured for this warehouse."""
    quiet_gx_logging()
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    p = paths()
    p.gx_context.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(
        mode="file",
        context_root_dir=str(p.gx_context),
        runtime_environment={URL_VARIABLE: wh.sqlalchemy_url},
    )
    changed = False
    if context.variables.analytics_enabled is not False:
        context.variables.analytics_enabled = False
        changed = True
    bars = context.variables.progress_bars
    if (bars.get("globally") if isinstance(bars, dict) else getattr(bars, "globally", None)) is not False:
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        changed = True
    if changed:
        context.variables.save()

    site = _docs_site_config(p.data_docs)
    sites = context.list_data_docs_sites()
    for name in [n for n in sites if n != DOCS_SITE]:
        context.delete_data_docs_site(name)
    # GX's typed dict of a site lists only some of the keys a SiteBuilder takes (its own note
    # says so): show_how_to_buttons is one it leaves out.
    typed_site = cast("DataDocsSiteConfigTypedDict", site)
    if DOCS_SITE not in sites:
        context.add_data_docs_site(DOCS_SITE, typed_site)
    elif sites[DOCS_SITE] != site:
        context.update_data_docs_site(DOCS_SITE, typed_site)
    return context


def _expectation(rule_type: str, kwargs: dict[str, Any], meta: dict[str, Any]) -> Any:
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    return ExpectationConfiguration(type=rule_type, kwargs=kwargs, meta=meta).to_domain_obj()


def run_suites(
    wh: warehouse.Warehouse,
    suites: list[Suite],
    *,
    run_name: str,
    expectation_parameters: dict[str, Any],
) -> GxRun:
    """Validate every suite against its table's current view in one checkpoint run."""
    import great_expectations as gx
    from great_expectations.checkpoint import UpdateDataDocsAction
    from great_expectations.core.run_identifier import RunIdentifier

    context = open_context(wh)
    datasource = context.data_sources.add_or_update_postgres(DATASOURCE, connection_string="${" + URL_VARIABLE + "}")
    definitions = []
    for suite in suites:
        table = suite.table
        asset_name = suite.name
        if asset_name in datasource.get_asset_names():
            datasource.delete_asset(asset_name)
        asset = datasource.add_table_asset(asset_name, table_name=f"{table.name}_current", schema_name=table.raw_schema)
        batch = asset.add_batch_definition_whole_table("current")
        gx_suite = context.suites.add_or_update(
            gx.ExpectationSuite(
                name=suite.name,
                meta=suite.meta,
                expectations=[_expectation(r.expectation_type, dict(r.kwargs), dict(r.meta)) for r in suite.rules],
            )
        )
        definitions.append(
            context.validation_definitions.add_or_update(
                gx.ValidationDefinition(name=f"validate {suite.name}", data=batch, suite=gx_suite)
            )
        )
    checkpoint = context.checkpoints.add_or_update(
        gx.Checkpoint(
            name=CHECKPOINT,
            validation_definitions=definitions,
            actions=[UpdateDataDocsAction(name="update_data_docs", site_names=[DOCS_SITE])],
            result_format=RESULT_FORMAT,
        )
    )
    outcome = checkpoint.run(expectation_parameters=expectation_parameters, run_id=RunIdentifier(run_name=run_name))
    results: dict[str, list[Any]] = {}
    for validation in outcome.run_results.values():
        results[validation.suite_name] = list(validation.results)
    index = paths().data_docs / "index.html"
    return GxRun(results=results, data_docs_index=index if index.exists() else None)


def build_data_docs(wh: warehouse.Warehouse, gate_run_id: str | None = None) -> Path | None:
    """Validate the current data with GX and render Data Docs (var/data_docs/index.html);
    with a gate_run_id, the gate run's row in dq.gate_runs points at them."""
    from commissions.quality.gate import fx_currencies

    with warehouse.connect(wh) as conn:
        currencies = fx_currencies(conn)
    run = run_suites(
        wh,
        load_suites(paths().expectations),
        run_name=gate_run_id or "data-docs",
        expectation_parameters={"fx_currencies": currencies},
    )
    if gate_run_id and run.data_docs_index:
        with warehouse.connect(wh) as conn, conn.cursor() as cur:
            cur.execute(
                "update dq.gate_runs set data_docs_path = %s where gate_run_id = %s",
                (str(run.data_docs_index), gate_run_id),
            )
    return run.data_docs_index
