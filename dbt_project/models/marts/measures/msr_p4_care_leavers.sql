-- P4_CARE_LEAVERS: care leavers the council supports at each snapshot date (relevant and former
-- relevant young people aged 16 to 25; see int_care_leavers_at_snapshot), by age band (16-18,
-- 19-21, 22-25; a relevant young person can have left care at 16) and former UASC status; and
-- the share of those aged 17 to 21 the council is in touch with: of those whose latest birthday
-- contact is recorded, the ones it found in touch (someone who left care a few weeks ago may
-- not have had one yet).
with frame as (
    {{ area_periods(['snapshot']) }}
),

leavers as (
    select
        period_id,
        la_code,
        person_id,
        is_in_touch,
        (age_at_snapshot between 17 and 21 and latest_in_touch_code is not null) as is_aged_17_to_21_with_contact,
        age_band,
        {{ uasc_label('is_former_uasc') }} as uasc
    from {{ ref('int_care_leavers_at_snapshot') }}
),

long as (
    {{ long_breakdowns('leavers', ['period_id', 'la_code', 'person_id', 'is_in_touch', 'is_aged_17_to_21_with_contact'], ['age_band', 'uasc']) }}
),

counted as (
    select
        frame.period_id,
        frame.la_code,
        breakdowns.breakdown,
        breakdowns.breakdown_value,
        count(long.person_id) as care_leavers,
        sum(case when long.is_aged_17_to_21_with_contact then 1 else 0 end) as aged_17_to_21,
        sum(case when long.is_aged_17_to_21_with_contact and long.is_in_touch then 1 else 0 end) as in_touch_17_to_21
    from frame
    cross join ({{ breakdown_values('long') }}) as breakdowns
    left join long
        on frame.period_id = long.period_id
        and frame.la_code = long.la_code
        and breakdowns.breakdown = long.breakdown
        and breakdowns.breakdown_value = long.breakdown_value
    group by frame.period_id, frame.la_code, breakdowns.breakdown, breakdowns.breakdown_value
)

{{ measure_row('P4_CARE_LEAVERS', 'count', 'count', 'care_leavers', breakdown='breakdown', breakdown_value='breakdown_value') }}
union all
{{ measure_row('P4_CARE_LEAVERS', 'pct_in_touch', 'percent', 'in_touch_17_to_21', 'aged_17_to_21', breakdown='breakdown', breakdown_value='breakdown_value', where="breakdown in ('all', 'uasc')") }}
