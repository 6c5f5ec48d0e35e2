"""Publication: the analysts' database, built from validated marts and swapped in atomically."""

import dagster as dg
from dagster import AssetExecutionContext

from pipelines.publication.publish import PublicationError, publish
from pipelines.resources import WarehouseResource


@dg.asset(
    key=["published", "outcomes_database"],
    deps=[dg.AssetKey(["marts", "outcome_measures"])],
    group_name="published",
    kinds={"duckdb"},
    owners=["team:data-engineering"],
    description=(
        "data/published/outcomes.duckdb, the database analysts open read-only: the validated marts "
        "and the data-quality tables, with a publication log. Replaced atomically; a failed check "
        "leaves the previous publication in place."
    ),
    op_tags={"outcomes/writer": "build_db"},
)
def outcomes_database(context: AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    try:
        result = publish(warehouse.settings, run_id=context.run_id)
    except PublicationError as exc:
        raise dg.Failure(description=str(exc), allow_retries=False) from exc
    if result.status == "unchanged":
        context.log.info(f"Nothing changed since publication {result.publication_id}; the published file was left as it was.")
    return dg.MaterializeResult(
        metadata={
            "publication_id": result.publication_id,
            "status": result.status,
            "path": dg.MetadataValue.path(str(result.path)),
            "content_hash": result.content_hash,
            "dagster/row_count": result.row_count,
            "synthetic": bool(result.manifest.get("synthetic")),
            "extracts": dg.MetadataValue.json(result.manifest.get("extracts", [])),
        }
    )
