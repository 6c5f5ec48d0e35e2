"""The priority report: static HTML pages of the publication, downstream of it, so the report is
only ever built from figures that passed validation and disclosure control."""

import dagster as dg
from dagster import AssetExecutionContext

from pipelines.assets.dbt import OWNER
from pipelines.assets.publish import outcomes_database
from pipelines.report.build import build_report
from pipelines.report.dbt_docs import DbtDocsError
from pipelines.report.figures import ReportInputError
from pipelines.resources import WarehouseResource

REPORT_KEY = dg.AssetKey(["published", "priority_report"])
DESCRIPTION = (
    "The quarterly priority report: data/published/<publication id>/report/ (an overview of every priority's measures "
    "with direction of travel, RAG and London and England beside them; a page per priority with a chart per measure "
    "and its breakdowns; the dbt data catalogue), built from the `published` tables only; data/published/report points "
    "at the latest."
)


@dg.asset(
    key=REPORT_KEY,
    deps=[outcomes_database],
    group_name="published",
    kinds={"html", "python"},
    owners=[OWNER],
    description=DESCRIPTION,
    # dbt docs reads the build database for column types.
    op_tags={"outcomes/writer": "build_db"},
)
def priority_report(context: AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    settings = warehouse.settings
    try:
        result = build_report(settings)
    except DbtDocsError as exc:
        # The catalogue is a convenience; the figures are the point: publish the pages without it.
        context.log.warning(f"The dbt data catalogue could not be generated; the report is built without it. {exc}")
        result = build_report(settings, with_catalogue=False)
    except ReportInputError as exc:
        raise dg.Failure(description=str(exc), allow_retries=False) from exc
    return dg.MaterializeResult(
        metadata={
            "publication_id": result.publication_id,
            "path": dg.MetadataValue.path(str(result.path / "index.html")),
            "latest": dg.MetadataValue.path(str(result.latest / "index.html")),
            "pages": len(result.pages),
            "charts": result.charts,
            "synthetic": result.synthetic,
            "data_catalogue": result.has_catalogue,
            "seconds": result.seconds,
        }
    )
