-- The SSDA903 OC2 cohort at each 31 March: children looked after on the day who had been
-- looked after continuously for at least 12 months (their period of care began on or before
-- 31 March a year earlier). Short breaks are already left out of int_looked_after_at_snapshot.
-- OC2's health, SDQ and offending measures are shares of this cohort.
with looked_after as (
    select * from {{ ref('int_looked_after_at_snapshot') }}
    where is_year_end_snapshot
)

select
    looked_after.period_id,
    looked_after.snapshot_date,
    looked_after.la_code,
    looked_after.person_id,
    looked_after.period_of_care_id,
    looked_after.period_of_care_start_date,
    looked_after.age_at_snapshot,
    looked_after.sex,
    coalesce(groups.census_2021_group, 'Not known') as ethnicity_group,
    looked_after.is_uasc,
    looked_after.placement_type_code,
    {{ placement_group('looked_after.placement_type_code', 'looked_after.provider_code') }} as placement_group
from looked_after
left join {{ ref('ethnicity_groups') }} as groups
    on looked_after.ethnicity = groups.ethnicity_code
where looked_after.period_of_care_start_date <= {{ dbt.dateadd('month', -12, 'looked_after.snapshot_date') }}
