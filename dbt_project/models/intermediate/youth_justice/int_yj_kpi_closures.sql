-- The YJB KPI cohort: children whose youth justice intervention ended in the quarter (or
-- financial year), one row per child and period: their latest intervention to end in it. The
-- KPIs count children, not interventions, so a child with two orders ending in a quarter counts
-- once. Compulsory school age lasts until the end of the school year in which the child turns
-- 16: school age at the end means under 16 on the 31 August before it.
with periods as (
    select period_id, period_start, period_end
    from {{ ref('int_reporting_periods') }}
    where period_type in ('quarter', 'financial_year')
),

records as (
    select * from {{ ref('stg_youth_justice__case_kpis') }}
    where end_date is not null
),

persons as (
    select * from {{ ref('stg_youth_justice__persons') }}
),

ended as (
    select
        periods.period_id,
        records.*,
        row_number() over (
            partition by periods.period_id, records.la_code, records.person_id
            order by records.end_date desc, records.kpi_record_id desc
        ) as recency
    from periods
    inner join records
        on records.end_date between periods.period_start and periods.period_end
)

select
    ended.period_id,
    ended.la_code,
    ended.person_id,
    ended.kpi_record_id,
    ended.intervention_type_code,
    ended.start_date,
    ended.end_date,
    ended.completion_status_code,
    ended.accommodation_start_code,
    ended.is_accommodation_suitable_start,
    ended.accommodation_end_code,
    ended.is_accommodation_suitable_end,
    ended.is_ete_suitable_start,
    ended.ete_status_end_code,
    ended.is_ete_suitable_end,
    ended.is_send_identified,
    ended.send_type_code,
    ended.has_learning_plan,
    ended.is_slcn_screened,
    ended.is_slcn_identified,
    ended.is_mh_screened,
    ended.is_mh_need_identified,
    ended.is_mh_intervention_offered,
    ended.is_mh_attending,
    ended.mh_sessions_offered,
    ended.mh_sessions_attended,
    ended.is_sm_screened,
    ended.is_sm_need_identified,
    ended.is_sm_intervention_offered,
    ended.is_sm_attending,
    ended.is_early_help_end,
    ended.is_child_in_need_end,
    ended.is_child_protection_end,
    ended.is_looked_after_end,
    persons.sex,
    {{ age_at('persons.date_of_birth', 'ended.end_date') }} as age_at_end,
    {{ age_at(
        'persons.date_of_birth',
        "cast(cast(extract(year from ended.end_date) - case when extract(month from ended.end_date) < 9 then 1 else 0 end as " ~ dbt.type_string() ~ ") || '-08-31' as date)"
    ) }} < 16 as is_school_age_at_end
from ended
left join persons
    on ended.la_code = persons.la_code
    and ended.person_id = persons.person_id
where ended.recency = 1
