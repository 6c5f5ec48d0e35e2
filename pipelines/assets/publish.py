"""Publication: the `published` schema (disclosure control), then the analysts' database and the
exports, built from validated tables and swapped in atomically."""

import dagster as dg
from dagster import AssetExecutionContext

from pipelines.assets.dbt import dbt_models
from pipelines.operations.build_inputs import record_published_inputs
from pipelines.publication.publish import PublicationError, publish
from pipelines.publication.published_columns import column_schema
from pipelines.publication.published_tables import build_published_tables, priority_tables
from pipelines.resources import WarehouseResource

MARTS_KEY = dg.AssetKey(["marts", "outcome_measures"])
SIGNED_OFF_KEY = dg.AssetKey(["marts", "signed_off_figures"])
_dbt_keys = set(dbt_models.keys)
# Inputs of disclosure control that exist in this project (the catalogue and the partition seed
# may be absent from a smaller build).
_inputs = [
    key
    for key in (
        MARTS_KEY,
        dg.AssetKey(["marts", "measure_catalogue"]),
        dg.AssetKey(["reference", "breakdown_partitions"]),
        dg.AssetKey(["reference", "boroughs"]),
    )
    if key in _dbt_keys or key == MARTS_KEY
]
_table_specs = {
    "outcome_measures": "Every figure of marts.outcome_measures after disclosure control: counts of 1 to 5 and anything that would give one away shown as c, values rounded as published, numeric columns blank when suppressed.",
    "measure_definitions": "The catalogue's words for each measure (name, definition, unit, polarity, source), quoted in the exports' footnotes.",
    **{t.table: f"{t.title}: its rows of published.outcome_measures with the measure definitions and the priority's wording." for t in priority_tables()},
}
PUBLISHED_TABLE_KEYS = [dg.AssetKey(["published", name]) for name in _table_specs]


@dg.multi_asset(
    name="published_tables",
    specs=[
        dg.AssetSpec(
            key=key,
            deps=_inputs,
            group_name="published",
            kinds={"duckdb", "python"},
            owners=["team:data-engineering"],
            description=_table_specs[key.path[-1]],
            metadata={"dagster/column_schema": column_schema(key.path[-1]), "dagster/table_name": f"published.{key.path[-1]}"},
        )
        for key in PUBLISHED_TABLE_KEYS
    ],
    op_tags={"outcomes/writer": "build_db"},
    can_subset=False,
)
def published_tables(context: AssetExecutionContext, warehouse: WarehouseResource):
    """Disclosure control (pipelines/publication/suppression.py) in the build database."""
    with warehouse.connect() as con:
        summary = build_published_tables(con)
        counts = {name: con.execute(f"select count(*) from {name}").fetchall()[0][0] for name in summary.tables}
    if summary.unresolved:
        context.log.warning(f"{summary.unresolved} suppressed counts could still be worked out; the disclosure audit will block publication.")
    for key in PUBLISHED_TABLE_KEYS:
        table = f"published.{key.path[-1]}"
        metadata = {"dagster/row_count": counts.get(table, 0)}
        if key.path[-1] == "outcome_measures":
            metadata["suppressed"] = dg.MetadataValue.json(summary.suppressed)
            metadata["suppressed_rows"] = sum(summary.suppressed.values())
        yield dg.MaterializeResult(asset_key=key, metadata=metadata)


@dg.asset(
    key=["published", "outcomes_database"],
    # Every mart is copied into the analysts' database, so every mart's blocking checks hold it.
    deps=sorted({*(k for k in _dbt_keys if k.path[0] == "marts"), MARTS_KEY, SIGNED_OFF_KEY, *PUBLISHED_TABLE_KEYS}, key=lambda k: k.to_user_string()),
    group_name="published",
    kinds={"duckdb", "greatexpectations"},
    owners=["team:data-engineering"],
    description=(
        "data/published/outcomes.duckdb, the database analysts open read-only (marts, published, dq and the "
        "publication log), and the exports under data/published/<publication id>/ (Excel workbook, CSV, Parquet, "
        "manifest.json) with `latest` pointing at them. Validated again before the swap; a failed check leaves the "
        "previous publication in place."
    ),
    op_tags={"outcomes/writer": "build_db"},
)
def outcomes_database(context: AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    # A sign-off in this run changed marts.signed_off_figures: publish even if nothing else did
    # (pipelines/assets/signed_off.py).
    signed_off = context.instance.get_latest_materialization_event(SIGNED_OFF_KEY)
    try:
        result = publish(warehouse.settings, run_id=context.run_id, force=signed_off is not None and signed_off.run_id == context.run_id)
    except PublicationError as exc:
        raise dg.Failure(description=str(exc), allow_retries=False) from exc
    if result.status == "unchanged":
        context.log.info(f"Nothing changed since publication {result.publication_id}; the published files were left as they were.")
    # What this publication was built from, so a night with nothing new can skip the build.
    with warehouse.connect() as con:
        record_published_inputs(con, result.publication_id)
    validation = result.manifest.get("validation", {})
    return dg.MaterializeResult(
        metadata={
            "publication_id": result.publication_id,
            "status": result.status,
            "path": dg.MetadataValue.path(str(result.path)),
            "exports": dg.MetadataValue.path(str(result.exports_dir)) if result.exports_dir else "none",
            "content_hash": result.content_hash,
            "dagster/row_count": result.row_count,
            "synthetic": bool(result.manifest.get("synthetic")),
            "extracts": dg.MetadataValue.json(result.manifest.get("extracts", [])),
            "validation": dg.MetadataValue.json(validation),
            "data_docs_index": dg.MetadataValue.path(str(result.data_docs_index)) if result.data_docs_index else "none",
        }
    )
