-- Every statistic in marts.outcome_measures is listed in its measure's catalogue row (seed
-- measure_registry, column `statistics`), so the catalogue and docs/measures.md describe what is
-- published. A warning, not an error: a new statistic should not block the nightly publication,
-- but it should be catalogued in the same change.
{{ config(severity='warn') }}
select distinct
    outcome_measures.measure_id,
    outcome_measures.statistic
from {{ ref('outcome_measures') }} as outcome_measures
inner join {{ ref('measure_registry') }} as registry
    on outcome_measures.measure_id = registry.measure_id
where {{ dbt.concat(["';'", 'registry.statistics', "';'"]) }}
    not like {{ dbt.concat(["'%;'", 'outcome_measures.statistic', "';%'"]) }}
