-- Comparator values (seed `comparators`) laid out for joining to marts.outcome_measures: one row
-- per measure, statistic, breakdown and local period, one column per comparator area.
--
-- A comparator attaches to a local period in one of two ways:
--   same period      its own period type and end equal the local period's (matched);
--   compared with    the publication set it beside a local figure of another or unknown period
--                    (`compared_with_period_*`); it attaches to that local period only, and its
--                    own period label is carried in `comparator_period_note`.
-- A comparator with neither (a year nobody printed, a period no standard cohort matches) is kept
-- in the seed and attaches to nothing. When one area has both kinds for a local period, the
-- same-period value wins.
with comparators as (
    select * from {{ ref('comparators') }}
),

attachments as (
    select
        measure_id, statistic, breakdown, breakdown_value, comparator_area,
        period_type as local_period_type,
        period_end as local_period_end,
        value,
        period_label,
        1 as match_rank
    from comparators
    where period_type is not null and period_end is not null

    union all

    select
        measure_id, statistic, breakdown, breakdown_value, comparator_area,
        compared_with_period_type as local_period_type,
        compared_with_period_end as local_period_end,
        value,
        period_label,
        2 as match_rank
    from comparators
    where compared_with_period_type is not null and compared_with_period_end is not null
),

ranked as (
    select
        attachments.*,
        row_number() over (
            partition by measure_id, statistic, breakdown, breakdown_value, comparator_area, local_period_type, local_period_end
            order by match_rank
        ) as preference
    from attachments
),

chosen as (
    select * from ranked where preference = 1
)

select
    measure_id,
    statistic,
    breakdown,
    breakdown_value,
    local_period_type as period_type,
    local_period_end as period_end,
    max(case when comparator_area = 'london' then value end) as comparator_london,
    max(case when comparator_area = 'inner_london' then value end) as comparator_inner_london,
    max(case when comparator_area = 'england' then value end) as comparator_england,
    max(case when comparator_area = 'england_and_wales' then value end) as comparator_england_and_wales,
    max(case when comparator_area = 'statistical_neighbours' then value end) as comparator_statistical_neighbours,
    -- Only comparators of another period are noted, e.g. "england: year not stated".
    {{ dbt.listagg(
        "case when match_rank = 2 then " ~ dbt.concat(["comparator_area", "': '", "period_label"]) ~ " end",
        "'; '",
        "order by comparator_area"
    ) }} as comparator_period_note
from chosen
group by measure_id, statistic, breakdown, breakdown_value, local_period_type, local_period_end
