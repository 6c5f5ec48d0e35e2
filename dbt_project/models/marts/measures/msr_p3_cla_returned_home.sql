-- P3_CLA_RETURNED_HOME: periods of care that ended in the financial year (`count_ceased`, all
-- reasons), those ended because the child returned home to parents, relatives or another
-- person with parental responsibility (`count`; SSDA903 E4A as part of care planning, E4B not),
-- their share of all endings (`percent`), by age and legal status at the end; and the share of
-- children returned home who came back into care within 12 months (`pct_reentered_12m`),
-- counting only returns with a full 12 months of history before the extract date.
with frame as (
    {{ area_periods(['financial_year']) }}
),

extract as (
    select extract_date from {{ ref('int_extract_dates') }} where source_system = 'mosaic'
),

endings as (
    select
        frame.period_id,
        endings.la_code,
        endings.period_of_care_id,
        endings.is_returned_home,
        endings.is_returned_home and endings.end_date <= {{ dbt.dateadd('month', -12, 'extract.extract_date') }} as is_followed_up_return,
        endings.is_returned_home and endings.reentered_within_12_months as is_reentry,
        endings.age_band_at_end as age_band,
        coalesce(endings.legal_status_at_end_code, 'Not known') as legal_status
    from {{ ref('int_cla_period_endings') }} as endings
    inner join frame
        on endings.la_code = frame.la_code
        and endings.end_date between frame.period_start and frame.period_end
    cross join extract
),

long as (
    {{ long_breakdowns('endings', ['period_id', 'la_code', 'period_of_care_id', 'is_returned_home', 'is_followed_up_return', 'is_reentry'], ['age_band', 'legal_status']) }}
),

counted as (
    select
        frame.period_id,
        frame.la_code,
        breakdowns.breakdown,
        breakdowns.breakdown_value,
        count(long.period_of_care_id) as ceased,
        sum(case when long.is_returned_home then 1 else 0 end) as returned_home,
        sum(case when long.is_followed_up_return then 1 else 0 end) as followed_up_returns,
        sum(case when long.is_followed_up_return and long.is_reentry then 1 else 0 end) as reentries
    from frame
    cross join ({{ breakdown_values('long') }}) as breakdowns
    left join long
        on frame.period_id = long.period_id
        and frame.la_code = long.la_code
        and breakdowns.breakdown = long.breakdown
        and breakdowns.breakdown_value = long.breakdown_value
    group by frame.period_id, frame.la_code, breakdowns.breakdown, breakdowns.breakdown_value
)

{{ measure_row('P3_CLA_RETURNED_HOME', 'count', 'count', 'returned_home', breakdown='breakdown', breakdown_value='breakdown_value') }}
union all
{{ measure_row('P3_CLA_RETURNED_HOME', 'count_ceased', 'count', 'ceased', breakdown='breakdown', breakdown_value='breakdown_value') }}
union all
{{ measure_row('P3_CLA_RETURNED_HOME', 'percent', 'percent', 'returned_home', 'ceased', breakdown='breakdown', breakdown_value='breakdown_value') }}
union all
{{ measure_row('P3_CLA_RETURNED_HOME', 'pct_reentered_12m', 'percent', 'reentries', 'followed_up_returns', where="breakdown = 'all'") }}
