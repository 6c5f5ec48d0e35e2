-- Children looked after at any time in each financial year (an episode open on at least one
-- day of the year; short breaks left out), one row per child and year, with their age at the
-- end of the year or when they stopped being looked after, if earlier.
with years as (
    select period_id, period_start, period_end
    from {{ ref('int_reporting_periods') }}
    where period_type = 'financial_year'
),

episodes as (
    select * from {{ ref('int_cla_episodes') }}
    where not is_short_break
),

in_year as (
    select
        years.period_id,
        years.period_start,
        years.period_end,
        episodes.la_code,
        episodes.person_id,
        episodes.is_uasc,
        episodes.placement_type_code,
        episodes.provider_code,
        episodes.start_date,
        case when episodes.end_date is null or episodes.end_date > years.period_end then years.period_end else episodes.end_date end as last_day,
        row_number() over (
            partition by years.period_id, episodes.la_code, episodes.person_id
            order by episodes.start_date desc, episodes.episode_id desc
        ) as recency
    from years
    inner join episodes
        on episodes.start_date <= years.period_end
        and (episodes.end_date is null or episodes.end_date > years.period_start)
),

per_child as (
    select
        period_id,
        la_code,
        person_id,
        max(last_day) as last_day_in_year,
        max(case when is_uasc then 1 else 0 end) = 1 as is_uasc
    from in_year
    group by period_id, la_code, person_id
)

select
    per_child.period_id,
    per_child.la_code,
    per_child.person_id,
    per_child.last_day_in_year,
    per_child.is_uasc,
    persons.sex,
    coalesce(groups.census_2021_group, 'Not known') as ethnicity_group,
    {{ cla_age_band('persons.date_of_birth', 'per_child.last_day_in_year') }} as age_band,
    {{ placement_group('latest.placement_type_code', 'latest.provider_code') }} as placement_group
from per_child
inner join in_year as latest
    on per_child.period_id = latest.period_id
    and per_child.la_code = latest.la_code
    and per_child.person_id = latest.person_id
    and latest.recency = 1
left join {{ ref('stg_mosaic__persons') }} as persons
    on per_child.la_code = persons.la_code
    and per_child.person_id = persons.person_id
left join {{ ref('ethnicity_groups') }} as groups
    on persons.ethnicity = groups.ethnicity_code
