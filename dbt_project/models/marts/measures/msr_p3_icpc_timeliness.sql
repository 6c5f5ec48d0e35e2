-- P3_ICPC_15WD: initial child protection conferences held in the period, and the share held
-- within 15 working days of the strategy discussion that started the section 47 enquiry
-- (England and Wales bank holidays excluded). Transfer-in conferences are not initial ones.
with frame as (
    {{ area_periods(['financial_year', 'quarter']) }}
),

conferences as (
    select
        icpcs.la_code,
        icpcs.icpc_id,
        icpcs.conference_date,
        {{ financial_year_of('icpcs.conference_date') }} as financial_year,
        {{ financial_quarter_of('icpcs.conference_date') }} as financial_quarter,
        held.working_day_number - started.working_day_number as working_days_from_strategy_discussion
    from {{ ref('stg_mosaic__icpcs') }} as icpcs
    left join {{ ref('stg_mosaic__s47_enquiries') }} as enquiries
        on icpcs.la_code = enquiries.la_code
        and icpcs.s47_enquiry_id = enquiries.s47_enquiry_id
    left join {{ ref('int_calendar') }} as started
        on enquiries.strategy_discussion_date = started.calendar_date
    left join {{ ref('int_calendar') }} as held
        on icpcs.conference_date = held.calendar_date
    where not icpcs.is_transfer_in
),

counted as (
    select
        frame.period_id,
        frame.la_code,
        count(conferences.icpc_id) as conferences,
        sum(case when conferences.working_days_from_strategy_discussion <= 15 then 1 else 0 end) as within_15_working_days,
        count(conferences.working_days_from_strategy_discussion) as conferences_with_start_date
    from frame
    left join conferences
        on frame.la_code = conferences.la_code
        and frame.financial_year = conferences.financial_year
        and (frame.period_type = 'financial_year' or frame.financial_quarter = conferences.financial_quarter)
    group by frame.period_id, frame.la_code
)

{{ measure_row('P3_ICPC_15WD', 'count', 'count', 'conferences') }}
union all
{{ measure_row('P3_ICPC_15WD', 'percent', 'percent', 'within_15_working_days', 'conferences_with_start_date') }}
