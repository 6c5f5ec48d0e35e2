"""Kinds shown in the asset graph that follow from other definitions."""

from collections.abc import Sequence

import dagster as dg

GX_KIND = "greatexpectations"  # the UI's name (and icon) for Great Expectations


def mark_validated(assets: Sequence, gx_checks: Sequence[dg.AssetChecksDefinition]) -> list:
    """Give every asset a Great Expectations check guards the GX kind, so the graph shows which
    tables are validated before publication (dbt + duckdb + GX: Dagster allows three kinds)."""
    guarded = {key.asset_key for check in gx_checks for key in check.check_keys}
    return dg.map_asset_specs(lambda spec: spec.merge_attributes(kinds={GX_KIND}) if spec.key in guarded else spec, assets)
