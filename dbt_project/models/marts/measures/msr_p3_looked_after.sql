-- P3_CLA_RATE: children looked after at the snapshot (short breaks excluded), the rate per
-- 10,000 aged 0-17, and the profile both councils publish: unaccompanied asylum-seeking
-- children (count and share) and children aged 14 and over (share).
with frame as (
    {{ area_periods(['snapshot']) }}
),

looked_after as (
    select * from {{ ref('int_looked_after_at_snapshot') }}
),

counted as (
    select
        frame.period_id,
        frame.la_code,
        denominators.population_0_17,
        count(looked_after.person_id) as looked_after,
        sum(case when looked_after.is_uasc then 1 else 0 end) as uasc,
        sum(case when looked_after.age_at_snapshot >= 14 then 1 else 0 end) as aged_14_plus
    from frame
    left join looked_after
        on frame.period_id = looked_after.period_id and frame.la_code = looked_after.la_code
    left join {{ ref('int_denominators') }} as denominators
        on frame.la_code = denominators.la_code and frame.mid_year = denominators.mid_year
    group by frame.period_id, frame.la_code, denominators.population_0_17
)

{{ measure_row('P3_CLA_RATE', 'count', 'count', 'looked_after') }}
union all
{{ measure_row('P3_CLA_RATE', 'rate_per_10k', 'rate_per_10k', 'looked_after', 'population_0_17') }}
union all
{{ measure_row('P3_CLA_RATE', 'count_uasc', 'count', 'uasc') }}
union all
{{ measure_row('P3_CLA_RATE', 'pct_uasc', 'percent', 'uasc', 'looked_after') }}
union all
{{ measure_row('P3_CLA_RATE', 'pct_aged_14_plus', 'percent', 'aged_14_plus', 'looked_after') }}
