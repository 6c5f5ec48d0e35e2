-- For every catalogue measure, exactly one row saying where its figures come from today, read
-- from what is actually in marts.outcome_measures (never hard-coded), and why the rest are
-- missing:
--   computed             at least one row computed from extracts
--   aggregate_indicator  only manual rows, for a measure whose source is a published indicator
--                        (computability class D: fingertips, Ofsted, DfE), or rows of a future
--                        value_source 'indicator'
--   manual               only rows entered by an analyst (manual_measures)
--   not_yet_available    no rows; `reason` names the extract or system it needs
{#- Sources with an extract contract, read from the project at run time, so the reason says
    whether the extract is defined yet without anyone editing this model. -#}
{%- set contracted = [] -%}
{%- if execute -%}
    {%- for node in graph.sources.values() -%}
        {%- if node.source_name not in contracted -%}{%- do contracted.append(node.source_name) -%}{%- endif -%}
    {%- endfor -%}
{%- endif %}

with registry as (
    select * from {{ ref('measure_registry') }}
),

published as (
    select measure_id, statistic, value_source, period_end
    from {{ ref('outcome_measures') }}
),

statistics_published as (
    select
        measure_id,
        {{ dbt.listagg('statistic', "';'", 'order by statistic') }} as statistics_published
    from (select distinct measure_id, statistic from published) as distinct_statistics
    group by measure_id
),

by_measure as (
    select
        measure_id,
        sum(case when value_source = 'computed' then 1 else 0 end) as computed_rows,
        sum(case when value_source = 'manual' then 1 else 0 end) as manual_rows,
        sum(case when value_source = 'indicator' then 1 else 0 end) as indicator_rows,
        count(*) as row_count,
        max(period_end) as latest_period_end
    from published
    group by measure_id
),

classified as (
    select
        registry.measure_id,
        registry.measure_name,
        registry.priority,
        registry.computability_class,
        registry.primary_source,
        registry.extract_source,
        registry.statistics as statistics_expected,
        statistics_published.statistics_published,
        coalesce(by_measure.row_count, 0) as row_count,
        coalesce(by_measure.computed_rows, 0) as computed_rows,
        coalesce(by_measure.manual_rows, 0) as manual_rows,
        by_measure.latest_period_end,
        case
            when by_measure.computed_rows > 0 then 'computed'
            when by_measure.indicator_rows > 0 then 'aggregate_indicator'
            when by_measure.manual_rows > 0 and registry.computability_class = 'D' then 'aggregate_indicator'
            when by_measure.manual_rows > 0 then 'manual'
            else 'not_yet_available'
        end as coverage_status,
        case when registry.extract_source in ({% for s in contracted %}'{{ s }}'{% if not loop.last %}, {% endif %}{% else %}''{% endfor %}) then true else false end as extract_contracted
    from registry
    left join by_measure
        on registry.measure_id = by_measure.measure_id
    left join statistics_published
        on registry.measure_id = statistics_published.measure_id
)

select
    measure_id,
    measure_name,
    priority,
    coverage_status,
    case coverage_status
        when 'computed' then {{ dbt.concat(["'Computed from extracts: '", 'primary_source', "'.'"]) }}
        when 'aggregate_indicator' then {{ dbt.concat(["'Aggregate indicator delivered as figures: '", 'primary_source', "'.'"]) }}
        when 'manual' then {{ dbt.concat(["'Entered by an analyst (manual_measures): '", 'primary_source', "'.'"]) }}
        else case
            when computability_class = 'E' then {{ dbt.concat(["'Needs a survey or manual figure (docs/manual_inputs.md): '", 'primary_source', "'.'"]) }}
            when computability_class = 'D' then {{ dbt.concat(["'Needs the published indicator, entered through manual_measures until a feed exists: '", 'primary_source', "'.'"]) }}
            when extract_contracted then {{ dbt.concat(["'The '", 'extract_source', "' extract is defined but no measure model computes it yet: '", 'primary_source', "'.'"]) }}
            when extract_source is not null then {{ dbt.concat(["'Needs the '", 'extract_source', "' extract, which has no contract yet: '", 'primary_source', "'.'"]) }}
            else {{ dbt.concat(["'Needs an extract from a system outside the warehouse: '", 'primary_source', "'.'"]) }}
        end
    end as reason,
    computability_class,
    primary_source,
    extract_source,
    extract_contracted,
    statistics_expected,
    statistics_published,
    row_count,
    computed_rows,
    manual_rows,
    latest_period_end
from classified
