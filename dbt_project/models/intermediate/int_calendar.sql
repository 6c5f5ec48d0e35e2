-- Every day from 2010 to 2031, with England and Wales working days numbered consecutively so
-- that "working days between two dates" is a subtraction (45-day assessments, 15-day ICPCs).
with days as (
    {{ dbt.date_spine('day', date_literal('2010-01-01'), date_literal('2032-01-01')) }}
),

flagged as (
    select
        cast(days.date_day as date) as calendar_date,
        {{ iso_day_of_week('days.date_day') }} >= 6 as is_weekend,
        holidays.holiday_date is not null as is_bank_holiday
    from days
    left join {{ ref('bank_holidays') }} as holidays
        on cast(days.date_day as date) = holidays.holiday_date
)

select
    calendar_date,
    is_weekend,
    is_bank_holiday,
    not is_weekend and not is_bank_holiday as is_working_day,
    sum(case when not is_weekend and not is_bank_holiday then 1 else 0 end)
        over (order by calendar_date rows between unbounded preceding and current row) as working_day_number
from flagged
