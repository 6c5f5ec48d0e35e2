-- P3_CLA_PLACEMENT_QUALITY: children looked after at each snapshot placed with an
-- Ofsted-registered provider that had been inspected by then; numerator: the provider's latest
-- full inspection on or before the date judged it good or outstanding (joined on the URN the
-- placement records; the judgement in force on the day, not today's). Placements with no
-- registrable provider (placed with parents, semi-independent accommodation, adoption) are
-- left out and counted (`count_no_registered_provider`), as are registered providers not yet
-- inspected (`count_not_yet_inspected`). By placement type and provider in or out of borough.
with frame as (
    {{ area_periods(['snapshot']) }}
),

placed as (
    select
        period_id,
        la_code,
        person_id,
        has_registered_provider,
        has_judgement,
        is_good_or_outstanding,
        placement_group as placement_type,
        provider_location
    from {{ ref('int_cla_placements_at_snapshot') }}
),

long as (
    {{ long_breakdowns('placed', ['period_id', 'la_code', 'person_id', 'has_registered_provider', 'has_judgement', 'is_good_or_outstanding'], ['placement_type', 'provider_location']) }}
),

counted as (
    select
        frame.period_id,
        frame.la_code,
        breakdowns.breakdown,
        breakdowns.breakdown_value,
        sum(case when long.has_judgement then 1 else 0 end) as judged,
        sum(case when long.has_judgement and long.is_good_or_outstanding then 1 else 0 end) as good_or_outstanding,
        sum(case when long.person_id is not null and not long.has_registered_provider then 1 else 0 end) as no_registered_provider,
        sum(case when long.has_registered_provider and not long.has_judgement then 1 else 0 end) as not_yet_inspected
    from frame
    cross join ({{ breakdown_values('long') }}) as breakdowns
    left join long
        on frame.period_id = long.period_id
        and frame.la_code = long.la_code
        and breakdowns.breakdown = long.breakdown
        and breakdowns.breakdown_value = long.breakdown_value
    group by frame.period_id, frame.la_code, breakdowns.breakdown, breakdowns.breakdown_value
)

{{ measure_row('P3_CLA_PLACEMENT_QUALITY', 'percent', 'percent', 'good_or_outstanding', 'judged', breakdown='breakdown', breakdown_value='breakdown_value') }}
union all
{{ measure_row('P3_CLA_PLACEMENT_QUALITY', 'count_no_registered_provider', 'count', 'no_registered_provider', where="breakdown = 'all'") }}
union all
{{ measure_row('P3_CLA_PLACEMENT_QUALITY', 'count_not_yet_inspected', 'count', 'not_yet_inspected', where="breakdown = 'all'") }}
