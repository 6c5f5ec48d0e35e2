-- marts.measure_coverage against the catalogue and the figures: every catalogue measure once,
-- and its status agreeing with the rows it has in outcome_measures.
with coverage as (
    select * from {schema}.measure_coverage
),

figures as (
    select measure_id, count(*) as row_count, sum(case when value_source = 'computed' then 1 else 0 end) as computed_rows
    from {schema}.outcome_measures
    group by measure_id
)

select
    coalesce(coverage.measure_id, catalogue.measure_id) as measure_id,
    coverage.coverage_status,
    coverage.measure_id is not null as in_coverage,
    catalogue.measure_id is not null as in_catalogue,
    count(*) over (partition by coalesce(coverage.measure_id, catalogue.measure_id)) as occurrences,
    coalesce(figures.row_count, 0) = coalesce(coverage.row_count, -1) as row_count_agrees,
    (coverage.coverage_status = 'computed') = (coalesce(figures.computed_rows, 0) > 0) as status_agrees
from coverage
full outer join {schema}.measure_catalogue as catalogue
    on coverage.measure_id = catalogue.measure_id
left join figures
    on figures.measure_id = coalesce(coverage.measure_id, catalogue.measure_id)
