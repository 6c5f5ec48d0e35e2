-- Every measure of the catalogue (seed `measure_registry`, one row per measure) with the wording
-- of its priority outcome: what each measure means, whether or not the warehouse computes it yet.
-- Adding a measure is one registry row plus its SQL; this mart and docs/measures.md follow.
select
    registry.measure_id,
    registry.measure_name,
    registry.priority,
    priorities.priority_name,
    priorities.outcome_statement as priority_outcome,
    priorities.mart_name as priority_mart,
    registry.annex_b_codes,
    registry.outcomes_framework,
    registry.definition,
    registry.statistics,
    registry.unit,
    registry.polarity,
    registry.polarity_note,
    registry.primary_source,
    registry.extract_source,
    registry.computability_class,
    registry.computability,
    registry.definition_version,
    registry.reference
from {{ ref('measure_registry') }} as registry
inner join {{ ref('priorities') }} as priorities
    on registry.priority = priorities.priority
