"""Raw layer: one Dagster asset per source table, ingested per source system in one step.

Asset keys are raw/<source>/<table>, the same keys the dbt translator gives dbt sources, so the
lineage in the UI runs from each delivered file to the published marts. One step per source
keeps Dagster's per-step overhead small at national volume; a table can still be
rematerialised on its own (`can_subset`).
"""

import dagster as dg
from dagster import AssetExecutionContext

from pipelines.contracts.model import ContractError, TableContract, load_contract
from pipelines.ingest.dq_summary import quarantined_pct, top_reasons_markdown, warn_threshold_pct
from pipelines.ingest.errors import IngestError
from pipelines.ingest.run import ingest_source
from pipelines.privacy.pseudonymise import PseudonymisationKeyError
from pipelines.resources import WarehouseResource

OWNER = "team:data-engineering"
# For failures that can clear on their own (a crashed process, a busy disk). Errors in the data,
# the contract or the key stop the whole source and are raised as Failure(allow_retries=False):
# running the step again cannot change them.
NOT_RETRIED = (IngestError, ContractError, PseudonymisationKeyError)
RETRY = dg.RetryPolicy(max_retries=2, delay=10, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS)


def raw_key(source: str, table: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", source, table])


QUARANTINE_CHECK = "quarantine_within_threshold"


def _quarantine_check_spec(table: TableContract) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        QUARANTINE_CHECK,
        asset=raw_key(table.source, table.table),
        description="Warns (does not block) when more of the latest file was quarantined than OUTCOMES_QUARANTINE_WARN_PCT (default 1%).",
        blocking=False,
    )


def _quarantine_check(table: TableContract, latest) -> dg.AssetCheckResult:
    threshold = warn_threshold_pct()
    if latest is None:
        return dg.AssetCheckResult(asset_key=raw_key(table.source, table.table), check_name=QUARANTINE_CHECK, passed=True, description="no file delivered")
    pct = quarantined_pct(latest)
    return dg.AssetCheckResult(
        asset_key=raw_key(table.source, table.table),
        check_name=QUARANTINE_CHECK,
        passed=pct <= threshold,
        severity=dg.AssetCheckSeverity.WARN,
        description=f"{latest.rows_quarantined} of {latest.rows_in} rows ({pct:.2f}%) of {latest.file_name} quarantined; threshold {threshold}%.",
        metadata={"rows_in": latest.rows_in, "rows_quarantined": latest.rows_quarantined, "quarantined_pct": round(pct, 3), "threshold_pct": threshold},
    )


def _spec(table: TableContract) -> dg.AssetSpec:
    personal = [c.name for c in table.columns if c.privacy in ("person_id", "postcode", "quasi")]
    return dg.AssetSpec(
        key=raw_key(table.source, table.table),
        group_name="raw",
        description=f"{table.description} {table.grain} Landed from data/raw/{table.source}/<extract>/{table.file_pattern}, conformed to the contract, pseudonymised.",
        kinds={"duckdb", "csv"},
        owners=[OWNER],
        tags={"source": table.source},
        metadata={
            "contract": dg.MetadataValue.path(f"pipelines/contracts/tables/{table.source}/{table.table}.yml"),
            "standard": table.standard,
            "primary_key": ", ".join(table.primary_key),
            "personal_columns": ", ".join(personal) or "none",
        },
    )


def build_raw_assets() -> list[dg.AssetsDefinition]:
    contract = load_contract()
    return [_ingest_asset(contract, source) for source in contract.sources]


def _ingest_asset(contract, source: str) -> dg.AssetsDefinition:
    tables = contract.for_source(source)

    @dg.multi_asset(
        name=f"ingest_{source}",
        specs=[_spec(t) for t in tables],
        check_specs=[_quarantine_check_spec(t) for t in tables],
        can_subset=True,
        retry_policy=RETRY,
        op_tags={"outcomes/writer": "build_db"},
    )
    def _ingest(context: AssetExecutionContext, warehouse: WarehouseResource):
        _source, _tables = source, tables
        selected = [t for t in _tables if raw_key(t.source, t.table) in context.selected_asset_keys]
        with warehouse.connect() as con:
            try:
                outcome = ingest_source(con, warehouse.settings, contract, _source, selected)
            except NOT_RETRIED as exc:
                raise dg.Failure(description=f"{_source}: nothing was ingested. {exc}", allow_retries=False) from exc
            reasons = {
                t.table: top_reasons_markdown(con, t.source, t.table, outcome.latest(t.table).extract_id)
                for t in selected
                if outcome.latest(t.table) is not None and t.table not in outcome.failures
            }
        if not outcome.extracts:
            context.log.warning(f"No extract folders in {warehouse.settings.raw_dir / _source}; nothing to ingest.")
        for table in selected:
            if table.table in outcome.failures:
                continue
            latest = outcome.latest(table.table)
            metadata = {"extracts_seen": len(outcome.extracts)}
            if latest is not None:
                metadata.update(
                    {
                        "extract_id": latest.extract_id,
                        "file": latest.file_name,
                        "sha256": latest.sha256,
                        "status": latest.status,
                        "dagster/row_count": latest.rows_staged,
                        "rows_in": latest.rows_in,
                        "rows_quarantined": latest.rows_quarantined,
                        "values_blanked": latest.values_blanked,
                        "unknown_columns": ", ".join(latest.unknown_columns) or "none",
                        "encoding": latest.encoding,
                        "header_row": latest.header_row,
                        "top_dq_reasons": dg.MetadataValue.md(reasons.get(table.table, "")),
                    }
                )
            yield dg.MaterializeResult(asset_key=raw_key(table.source, table.table), metadata=metadata)
            if dg.AssetCheckKey(raw_key(table.source, table.table), QUARANTINE_CHECK) in context.selected_asset_check_keys:
                yield _quarantine_check(table, latest)
        if outcome.failures:
            message = "\n".join(f"- {msg}" for msgs in outcome.failures.values() for msg in msgs)
            raise dg.Failure(
                description=f"{len(outcome.failures)} {_source} table(s) could not be ingested; the others were.\n{message}",
                allow_retries=False,
            )

    return _ingest
