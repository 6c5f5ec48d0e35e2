-- P3_YJ_REOFFENDING: MoJ proven reoffending of each cohort period (financial year and rolling
-- 12 months; definitions in int_yj_reoffending): cohort size, reoffenders, reoffences, the
-- binary rate (% who reoffended) and the frequency (reoffences per reoffender, as the YJB
-- publishes it, and per cohort member). Until 18 months after the cohort period has ended the
-- figures are a live tracker and carry the suffix `_live_tracker`, never the final names.
-- Breakdowns: index route (out of court, court, release from custody) and sex.
with frame as (
    select
        frame.*,
        coalesce(cast({{ dbt.dateadd('month', 18, 'frame.period_end') }} as date) <= extract.extract_date, false) as is_complete
    from ({{ area_periods(['financial_year', 'rolling_12_months']) }}) as frame
    cross join (select max(extract_date) as extract_date from {{ ref('stg_youth_justice__persons') }}) as extract
),

cohort as (
    select * from {{ ref('int_yj_reoffending') }}
),

tagged as (
    select period_id, la_code, person_id, reoffences, 'all' as breakdown, 'all' as breakdown_value from cohort
    union all
    select period_id, la_code, person_id, reoffences, 'index_route', index_route from cohort
    union all
    select period_id, la_code, person_id, reoffences, 'sex', sex from cohort where sex is not null
),

breakdown_values as (
    select 'all' as breakdown, 'all' as breakdown_value
    union all select 'index_route', 'out_of_court'
    union all select 'index_route', 'court'
    union all select 'index_route', 'custody_release'
    union all select 'sex', 'M'
    union all select 'sex', 'F'
    union all select distinct breakdown, breakdown_value from tagged
),

counted as (
    select
        frame.period_id,
        frame.la_code,
        frame.is_complete,
        values_.breakdown,
        values_.breakdown_value,
        count(tagged.person_id) as cohort_size,
        sum(case when tagged.reoffences > 0 then 1 else 0 end) as reoffenders,
        coalesce(sum(tagged.reoffences), 0) as reoffences
    from frame
    cross join (select distinct breakdown, breakdown_value from breakdown_values) as values_
    left join tagged
        on frame.period_id = tagged.period_id
        and frame.la_code = tagged.la_code
        and values_.breakdown = tagged.breakdown
        and values_.breakdown_value = tagged.breakdown_value
    group by frame.period_id, frame.la_code, frame.is_complete, values_.breakdown, values_.breakdown_value
)

{%- set statistics = [
    ('cohort_size', 'count', 'cohort_size', 'null'),
    ('reoffenders', 'count', 'reoffenders', 'null'),
    ('reoffences', 'count', 'reoffences', 'null'),
    ('binary_rate', 'percent', 'reoffenders', 'cohort_size'),
    ('reoffences_per_reoffender', 'mean', 'reoffences', 'reoffenders'),
    ('reoffences_per_offender', 'mean', 'reoffences', 'cohort_size'),
] %}
{% for name, unit, numerator, denominator in statistics %}
{{ measure_row('P3_YJ_REOFFENDING', name, unit, numerator, denominator, breakdown='breakdown', breakdown_value='breakdown_value', where='is_complete') }}
union all
{{ measure_row('P3_YJ_REOFFENDING', name ~ '_live_tracker', unit, numerator, denominator, breakdown='breakdown', breakdown_value='breakdown_value', where='not is_complete') }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
