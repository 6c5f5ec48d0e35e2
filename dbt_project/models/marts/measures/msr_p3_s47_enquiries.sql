-- P3_S47_ENQUIRIES: section 47 enquiries started in the period (DfE, dated by the strategy
-- discussion) with the rate per 10,000 aged 0-17, and enquiries completed in the period (the
-- basis both councils publish).
with frame as (
    {{ area_periods(['financial_year', 'quarter']) }}
),

enquiries as (
    select
        la_code,
        s47_enquiry_id,
        strategy_discussion_date,
        completed_date,
        {{ financial_year_of('strategy_discussion_date') }} as start_year,
        {{ financial_quarter_of('strategy_discussion_date') }} as start_quarter,
        {{ financial_year_of('completed_date') }} as completed_year,
        {{ financial_quarter_of('completed_date') }} as completed_quarter
    from {{ ref('stg_mosaic__s47_enquiries') }}
),

started as (
    select frame.period_id, frame.period_type, frame.la_code, frame.mid_year, count(enquiries.s47_enquiry_id) as enquiries_started
    from frame
    left join enquiries
        on frame.la_code = enquiries.la_code
        and frame.financial_year = enquiries.start_year
        and (frame.period_type = 'financial_year' or frame.financial_quarter = enquiries.start_quarter)
    group by frame.period_id, frame.period_type, frame.la_code, frame.mid_year
),

completed as (
    select frame.period_id, frame.la_code, count(enquiries.s47_enquiry_id) as enquiries_completed
    from frame
    left join enquiries
        on frame.la_code = enquiries.la_code
        and frame.financial_year = enquiries.completed_year
        and (frame.period_type = 'financial_year' or frame.financial_quarter = enquiries.completed_quarter)
    group by frame.period_id, frame.la_code
),

counted as (
    select started.*, completed.enquiries_completed, denominators.population_0_17
    from started
    inner join completed
        on started.period_id = completed.period_id and started.la_code = completed.la_code
    left join {{ ref('int_denominators') }} as denominators
        on started.la_code = denominators.la_code and started.mid_year = denominators.mid_year
)

{{ measure_row('P3_S47_ENQUIRIES', 'count_started', 'count', 'enquiries_started') }}
union all
{{ measure_row('P3_S47_ENQUIRIES', 'count_completed', 'count', 'enquiries_completed') }}
union all
{{ measure_row('P3_S47_ENQUIRIES', 'rate_per_10k', 'rate_per_10k', 'enquiries_started', 'population_0_17', where="period_type = 'financial_year'") }}
