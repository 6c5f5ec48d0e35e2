-- The long table of every outcome measure: one row per measure, area (each borough and the
-- bi-borough), period, statistic and breakdown. Values are unrounded here; rounding happens at
-- publication. Bi-borough figures pool numerators and denominators; they are never an average
-- of the two boroughs' percentages.
{#- One union per domain (measures/msr__<domain>.sql); add a domain here. -#}
{%- set domains = [
    'msr__social_care',
    'msr__safeguarding',
    'msr__youth_justice',
    'msr__children_in_care',
    'msr__education',
] %}

with computed as (
    {{ union_measures(domains) }}
),

boroughs as (
    select * from {{ ref('boroughs') }}
),

periods as (
    select * from {{ ref('int_reporting_periods') }}
),

extract as (
    select extract_date from {{ ref('int_extract_dates') }} where source_system = 'mosaic'
),

by_borough as (
    select
        computed.measure_id,
        boroughs.ons_code as area_code,
        boroughs.area_name,
        computed.period_id,
        computed.statistic,
        computed.breakdown,
        computed.breakdown_value,
        computed.numerator,
        computed.denominator,
        computed.unit
    from computed
    inner join boroughs
        on computed.la_code = boroughs.la_code
),

members as (
    select combined_area_code, count(*) as member_count
    from boroughs
    group by combined_area_code
),

combined as (
    -- Pool the member authorities; only when every member has the figure.
    select
        computed.measure_id,
        boroughs.combined_area_code as area_code,
        max(boroughs.combined_area_name) as area_name,
        computed.period_id,
        computed.statistic,
        computed.breakdown,
        computed.breakdown_value,
        sum(computed.numerator) as numerator,
        case when count(computed.denominator) = count(*) then sum(computed.denominator) end as denominator,
        computed.unit
    from computed
    inner join boroughs
        on computed.la_code = boroughs.la_code
    inner join members
        on boroughs.combined_area_code = members.combined_area_code
    group by
        computed.measure_id, boroughs.combined_area_code, computed.period_id, computed.statistic,
        computed.breakdown, computed.breakdown_value, computed.unit
    having count(distinct computed.la_code) = max(members.member_count)
),

computed_rows as (
    select
        rows.measure_id,
        rows.area_code,
        rows.area_name,
        periods.period_type,
        periods.period_start,
        periods.period_end,
        periods.period_label,
        rows.statistic,
        rows.breakdown,
        rows.breakdown_value,
        rows.numerator,
        rows.denominator,
        case
            when rows.unit = 'count' then rows.numerator
            else rows.numerator * {{ unit_scale('rows.unit') }} / nullif(rows.denominator, 0)
        end as value,
        rows.unit,
        'computed' as value_source,
        extract.extract_date
    from (
        select * from by_borough
        union all
        select * from combined
    ) as rows
    inner join periods
        on rows.period_id = periods.period_id
    cross join extract
),

manual_rows as (
    select
        manual.measure_id,
        manual.area_code,
        coalesce(boroughs.area_name, combined.combined_area_name) as area_name,
        manual.period_type,
        manual.period_start,
        manual.period_end,
        manual.period_label,
        manual.statistic,
        manual.breakdown,
        manual.breakdown_value,
        manual.numerator,
        manual.denominator,
        manual.value,
        manual.unit,
        'manual' as value_source,
        manual.extract_date
    from {{ ref('stg_manual__measures') }} as manual
    left join boroughs
        on manual.area_code = boroughs.ons_code
    left join (select distinct combined_area_code, combined_area_name from boroughs) as combined
        on manual.area_code = combined.combined_area_code
),

all_rows as (
    select * from computed_rows
    union all
    select * from manual_rows
),

with_previous as (
    select
        all_rows.*,
        lag(all_rows.value) over (
            partition by all_rows.measure_id, all_rows.area_code, all_rows.period_type, all_rows.statistic,
                all_rows.breakdown, all_rows.breakdown_value
            order by all_rows.period_end
        ) as previous_value,
        lag(all_rows.period_label) over (
            partition by all_rows.measure_id, all_rows.area_code, all_rows.period_type, all_rows.statistic,
                all_rows.breakdown, all_rows.breakdown_value
            order by all_rows.period_end
        ) as previous_period_label
    from all_rows
),

-- Labels, direction, comparators and targets: everything a reader needs beside the figure.
registry as (
    select measure_id, measure_name, polarity from {{ ref('measure_registry') }}
),

statistic_polarity as (
    select measure_id, statistic, polarity from {{ ref('statistic_polarity') }}
),

comparators as (
    select * from {{ ref('int_measure_comparators') }}
),

targets as (
    select * from {{ ref('targets') }}
),

labelled as (
    select
        with_previous.*,
        registry.measure_name,
        -- A statistic can read the other way from its measure's headline (a count of ICPCs is
        -- volume, their timeliness is performance): the override wins.
        coalesce(statistic_polarity.polarity, registry.polarity) as polarity,
        comparators.comparator_london,
        comparators.comparator_inner_london,
        comparators.comparator_england,
        comparators.comparator_england_and_wales,
        comparators.comparator_statistical_neighbours,
        comparators.comparator_period_note,
        targets.target_value as target,
        targets.amber_threshold,
        targets.polarity as target_polarity
    from with_previous
    left join registry
        on with_previous.measure_id = registry.measure_id
    left join statistic_polarity
        on with_previous.measure_id = statistic_polarity.measure_id
        and with_previous.statistic = statistic_polarity.statistic
    left join comparators
        on with_previous.measure_id = comparators.measure_id
        and with_previous.statistic = comparators.statistic
        and with_previous.breakdown = comparators.breakdown
        and with_previous.breakdown_value = comparators.breakdown_value
        and with_previous.period_type = comparators.period_type
        and with_previous.period_end = comparators.period_end
    left join targets
        on with_previous.measure_id = targets.measure_id
        and with_previous.statistic = targets.statistic
        and with_previous.breakdown = targets.breakdown
        and with_previous.breakdown_value = targets.breakdown_value
        and with_previous.area_code = targets.area_code
        and with_previous.period_type = targets.period_type
        and with_previous.period_end = targets.period_end
)

select
    measure_id,
    measure_name,
    substr(measure_id, 1, {{ dbt.position("'_'", 'measure_id') }} - 1) as priority,
    area_code,
    area_name,
    period_type,
    period_start,
    period_end,
    period_label,
    statistic,
    breakdown,
    breakdown_value,
    numerator,
    denominator,
    value,
    unit,
    polarity,
    previous_value,
    previous_period_label,
    value - previous_value as change,
    case
        when value is null or previous_value is null then null
        when value = previous_value then 'no change'
        when polarity = 'higher_is_better' then case when value > previous_value then 'improved' else 'worsened' end
        when polarity = 'lower_is_better' then case when value < previous_value then 'improved' else 'worsened' end
        else 'context'
    end as change_direction,
    comparator_london,
    comparator_inner_london,
    comparator_england,
    comparator_england_and_wales,
    comparator_statistical_neighbours,
    comparator_period_note,
    target,
    case
        when target is null or value is null then null
        when target_polarity = 'higher_is_better' and value >= target then 'green'
        when target_polarity = 'higher_is_better' and value >= amber_threshold then 'amber'
        when target_polarity = 'higher_is_better' then 'red'
        when target_polarity = 'lower_is_better' and value <= target then 'green'
        when target_polarity = 'lower_is_better' and value <= amber_threshold then 'amber'
        when target_polarity = 'lower_is_better' then 'red'
    end as rag_status,
    value_source,
    extract_date
from labelled
