-- P4_LAC_CL_EET, care leavers (DfE SSDA903 OC3): the birthday cohort of P4_CL_SUITABLE_ACCOM
-- (17-21, DfE exclusions applied; not in touch counted in), and of them those whose main
-- activity around the birthday was education, employment or training, full or part time
-- (`pct_care_leavers_eet`), with higher education shown separately. By age (17, 18, 19-21) and
-- former UASC status. The looked-after 16-17 year olds' part needs Virtual School records.
with frame as (
    {{ area_periods(['financial_year']) }}
),

cohort as (
    select
        frame.period_id,
        birthdays.la_code,
        birthdays.person_id,
        birthdays.is_eet,
        birthdays.is_higher_education,
        birthdays.age_band,
        {{ uasc_label('birthdays.is_former_uasc') }} as uasc
    from {{ ref('int_care_leaver_birthdays') }} as birthdays
    inner join frame
        on birthdays.la_code = frame.la_code
        and birthdays.collection_year = frame.financial_year
    where not birthdays.is_excluded
),

long as (
    {{ long_breakdowns('cohort', ['period_id', 'la_code', 'person_id', 'is_eet', 'is_higher_education'], ['age_band', 'uasc']) }}
),

counted as (
    select
        frame.period_id,
        frame.la_code,
        breakdowns.breakdown,
        breakdowns.breakdown_value,
        count(long.person_id) as care_leavers,
        sum(case when long.is_eet then 1 else 0 end) as eet,
        sum(case when long.is_higher_education then 1 else 0 end) as higher_education
    from frame
    cross join ({{ breakdown_values('long') }}) as breakdowns
    left join long
        on frame.period_id = long.period_id
        and frame.la_code = long.la_code
        and breakdowns.breakdown = long.breakdown
        and breakdowns.breakdown_value = long.breakdown_value
    group by frame.period_id, frame.la_code, breakdowns.breakdown, breakdowns.breakdown_value
)

{{ measure_row('P4_LAC_CL_EET', 'pct_care_leavers_eet', 'percent', 'eet', 'care_leavers', breakdown='breakdown', breakdown_value='breakdown_value') }}
union all
{{ measure_row('P4_LAC_CL_EET', 'count_care_leavers_eet', 'count', 'eet', breakdown='breakdown', breakdown_value='breakdown_value') }}
union all
{{ measure_row('P4_LAC_CL_EET', 'pct_care_leavers_higher_education', 'percent', 'higher_education', 'care_leavers', where="breakdown = 'all'") }}
