-- Early Years Foundation Stage Profile results (eyfsp_results), latest extract, with the good
-- level of development recomputed from the goals: expected or exceeding in goals 01-12 (the
-- prime areas, literacy and mathematics in both the 2012 and the 2021 framework).
with source as (
    {{ from_latest_extract('education', 'eyfsp_results') }}
),

typed as (
    select
        source.*,
        {{ academic_year_from_label('academic_year') }} as academic_year_number
    from source
)

select
    la_code as school_la_code,
    urn,
    upn as upn_key,
    academic_year_number as academic_year,
    -- Files from before the reform carry no framework column: infer it from the year.
    coalesce(framework, case when academic_year_number <= 2021 then '2012' else '2021' end) as framework,
    (
        {%- for i in range(1, 13) %}
        coalesce(elg_{{ '%02d' % i }} in ('2', '3'), false){% if not loop.last %} and{% endif %}
        {%- endfor %}
    ) as is_good_level_of_development,
    gld_reported as is_gld_reported,
    _extract_date as extract_date
from typed
