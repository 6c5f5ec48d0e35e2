-- Periods of care: consecutive episodes of one child with no gap. The SSD groups them under
-- clae_cla_id; the period is open while any of its episodes is.
with episodes as (
    select * from {{ ref('int_cla_episodes') }}
),

persons as (
    select * from {{ ref('stg_mosaic__persons') }}
),

periods as (
    select
        la_code,
        period_of_care_id,
        person_id,
        min(start_date) as start_date,
        case when count(*) = count(end_date) then max(end_date) end as end_date,
        max(case when is_uasc then 1 else 0 end) = 1 as was_uasc,
        min(case when is_short_break then 1 else 0 end) = 1 as is_short_breaks_only,
        count(*) as episode_count
    from episodes
    group by la_code, period_of_care_id, person_id
)

select
    periods.*,
    persons.date_of_birth,
    persons.sex,
    persons.ethnicity,
    {{ age_at('persons.date_of_birth', 'periods.start_date') }} as age_at_start
from periods
left join persons
    on periods.la_code = persons.la_code
    and periods.person_id = persons.person_id
