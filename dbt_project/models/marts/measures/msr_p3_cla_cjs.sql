-- P3_CLA_CJS companion: looked-after children who became first-time entrants, found by matching
-- the youth justice person to the Mosaic child through the Mosaic id the YJS records, and
-- looked after (a period of care open, short breaks excluded) on the day of their first caution
-- or conviction. Count, and share of all first-time entrants. (The DfE OC2 measure itself, from
-- the SSDA903 conviction field, is the social care domain's.)
with frame as (
    {{ area_periods(['financial_year', 'rolling_12_months']) }}
),

counted as (
    select
        frame.period_id,
        frame.la_code,
        count(entrants.person_id) as entrants,
        sum(case when entrants.is_looked_after_at_entry then 1 else 0 end) as looked_after_entrants
    from frame
    left join {{ ref('int_yj_first_time_entrants') }} as entrants
        on frame.la_code = entrants.la_code
        and entrants.entry_date between frame.period_start and frame.period_end
    group by frame.period_id, frame.la_code
)

{{ measure_row('P3_CLA_CJS', 'count_first_time_entrants_looked_after', 'count', 'looked_after_entrants') }}
union all
{{ measure_row('P3_CLA_CJS', 'pct_first_time_entrants_looked_after', 'percent', 'looked_after_entrants', 'entrants') }}
