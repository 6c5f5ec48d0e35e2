-- P3_CLA_RATE by the breakdowns the documents use, at each snapshot: children looked after
-- (short breaks excluded) by UASC status, age band, ethnicity (Census 2021 group), sex,
-- placement type and legal status, as counts and as shares of all children looked after; and
-- the shares the councils publish of children from ethnic minority groups (RBKC: "Black, Asian
-- and minority ethnic", every group but White British) and of the global majority (WCC: every
-- group but White). The headline count is msr_p3_looked_after's.
with frame as (
    {{ area_periods(['snapshot']) }}
),

looked_after as (
    select
        looked_after.period_id,
        looked_after.la_code,
        looked_after.person_id,
        {{ uasc_label('looked_after.is_uasc') }} as uasc,
        {{ cla_age_band_of('looked_after.age_at_snapshot') }} as age_band,
        coalesce(groups.census_2021_group, 'Not known') as ethnicity,
        coalesce(looked_after.sex, 'Not known') as sex,
        {{ placement_group('looked_after.placement_type_code', 'looked_after.provider_code') }} as placement_type,
        coalesce(looked_after.legal_status_code, 'Not known') as legal_status,
        coalesce(groups.is_global_majority, false) as is_global_majority,
        coalesce(groups.is_minority_ethnic, false) as is_minority_ethnic
    from {{ ref('int_looked_after_at_snapshot') }} as looked_after
    left join {{ ref('ethnicity_groups') }} as groups
        on looked_after.ethnicity = groups.ethnicity_code
),

long as (
    {{ long_breakdowns('looked_after', ['period_id', 'la_code', 'person_id', 'is_global_majority', 'is_minority_ethnic'], ['uasc', 'age_band', 'ethnicity', 'sex', 'placement_type', 'legal_status']) }}
),

counted as (
    select
        frame.period_id,
        frame.la_code,
        breakdowns.breakdown,
        breakdowns.breakdown_value,
        count(long.person_id) as children,
        sum(case when long.is_global_majority then 1 else 0 end) as global_majority,
        sum(case when long.is_minority_ethnic then 1 else 0 end) as minority_ethnic
    from frame
    cross join ({{ breakdown_values('long') }}) as breakdowns
    left join long
        on frame.period_id = long.period_id
        and frame.la_code = long.la_code
        and breakdowns.breakdown = long.breakdown
        and breakdowns.breakdown_value = long.breakdown_value
    group by frame.period_id, frame.la_code, breakdowns.breakdown, breakdowns.breakdown_value
),

with_totals as (
    select counted.*, totals.children as all_children
    from counted
    inner join counted as totals
        on counted.period_id = totals.period_id
        and counted.la_code = totals.la_code
        and totals.breakdown = 'all'
)

{{ measure_row('P3_CLA_RATE', 'count', 'count', 'children', breakdown='breakdown', breakdown_value='breakdown_value', relation='with_totals', where="breakdown <> 'all'") }}
union all
{{ measure_row('P3_CLA_RATE', 'percent', 'percent', 'children', 'all_children', breakdown='breakdown', breakdown_value='breakdown_value', relation='with_totals', where="breakdown <> 'all'") }}
union all
{{ measure_row('P3_CLA_RATE', 'pct_global_majority', 'percent', 'global_majority', 'children', relation='with_totals', where="breakdown = 'all'") }}
union all
{{ measure_row('P3_CLA_RATE', 'pct_minority_ethnic', 'percent', 'minority_ethnic', 'children', relation='with_totals', where="breakdown = 'all'") }}
