-- Children with a disability record: disabled when any code other than NONE is recorded.
-- Children with no row at all are "not recorded" in breakdowns.
select
    la_code,
    person_id,
    max(case when disability_code <> 'NONE' then 1 else 0 end) = 1 as is_disabled,
    sum(case when disability_code <> 'NONE' then 1 else 0 end) as disability_count
from {{ ref('stg_mosaic__disabilities') }}
group by la_code, person_id
