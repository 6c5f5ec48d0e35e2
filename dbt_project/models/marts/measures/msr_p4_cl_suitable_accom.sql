-- P4_CL_SUITABLE_ACCOM (DfE SSDA903 OC3): care leavers whose 17th to 21st birthday fell in the
-- financial year (int_care_leaver_birthdays, DfE exclusions applied), and of them those whose
-- accommodation recorded around the birthday was suitable. Young people not in touch, or with
-- no contact recorded, stay in the denominator. Ages 17, 18 and 19-21 separately, and by
-- former UASC status.
with frame as (
    {{ area_periods(['financial_year']) }}
),

cohort as (
    select
        frame.period_id,
        birthdays.la_code,
        birthdays.person_id,
        birthdays.is_suitably_accommodated,
        birthdays.age_band,
        {{ uasc_label('birthdays.is_former_uasc') }} as uasc
    from {{ ref('int_care_leaver_birthdays') }} as birthdays
    inner join frame
        on birthdays.la_code = frame.la_code
        and birthdays.collection_year = frame.financial_year
    where not birthdays.is_excluded
),

long as (
    {{ long_breakdowns('cohort', ['period_id', 'la_code', 'person_id', 'is_suitably_accommodated'], ['age_band', 'uasc']) }}
),

counted as (
    select
        frame.period_id,
        frame.la_code,
        breakdowns.breakdown,
        breakdowns.breakdown_value,
        count(long.person_id) as care_leavers,
        sum(case when long.is_suitably_accommodated then 1 else 0 end) as suitably_accommodated
    from frame
    cross join ({{ breakdown_values('long') }}) as breakdowns
    left join long
        on frame.period_id = long.period_id
        and frame.la_code = long.la_code
        and breakdowns.breakdown = long.breakdown
        and breakdowns.breakdown_value = long.breakdown_value
    group by frame.period_id, frame.la_code, breakdowns.breakdown, breakdowns.breakdown_value
)

{{ measure_row('P4_CL_SUITABLE_ACCOM', 'percent', 'percent', 'suitably_accommodated', 'care_leavers', breakdown='breakdown', breakdown_value='breakdown_value') }}
