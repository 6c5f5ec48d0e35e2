-- P3_YJ_KPI_SERIOUS_VIOLENCE (YJB KPI): of the children on the YJS caseload in the period (an
-- intervention open at any time in it), the share convicted in the period of a serious violent
-- offence (YJB: a drugs, robbery or violence against the person offence with gravity 5 or more).
-- Companions, by the date of the outcome: serious youth violence offences and the distinct
-- children who committed them, by offence group (a child with offences in two groups counts in
-- both groups but once in the total: distinct counts are computed, not summed); drugs offences,
-- Class A and supply.
with frame as (
    {{ area_periods(['financial_year', 'quarter']) }}
),

proven as (
    select
        offences.la_code,
        offences.offence_id,
        offences.person_id,
        offences.offence_category_code,
        offences.is_serious_violence,
        offences.drug_class_code,
        offences.is_drug_supply,
        outcomes.outcome_date,
        outcomes.is_court
    from {{ ref('stg_youth_justice__offences') }} as offences
    inner join {{ ref('int_yj_outcomes') }} as outcomes
        on offences.la_code = outcomes.la_code
        and offences.outcome_id = outcomes.outcome_id
),

caseload as (
    select distinct frame.period_id, frame.la_code, records.person_id
    from frame
    inner join {{ ref('stg_youth_justice__case_kpis') }} as records
        on frame.la_code = records.la_code
        and records.start_date <= frame.period_end
        and (records.end_date is null or records.end_date >= frame.period_start)
),

convicted as (
    select distinct frame.period_id, frame.la_code, proven.person_id
    from frame
    inner join proven
        on frame.la_code = proven.la_code
        and proven.outcome_date between frame.period_start and frame.period_end
    where proven.is_serious_violence and proven.is_court
),

counted as (
    select
        frame.period_id,
        frame.la_code,
        (select count(*) from caseload c where c.period_id = frame.period_id and c.la_code = frame.la_code) as caseload,
        (select count(*) from caseload c
         inner join convicted v on c.period_id = v.period_id and c.la_code = v.la_code and c.person_id = v.person_id
         where c.period_id = frame.period_id and c.la_code = frame.la_code) as convicted_on_caseload,
        sum(case when proven.is_serious_violence then 1 else 0 end) as syv_offences,
        count(distinct case when proven.is_serious_violence then proven.person_id end) as syv_children,
        sum(case when proven.offence_category_code = 'DRUGS' then 1 else 0 end) as drug_offences,
        sum(case when proven.offence_category_code = 'DRUGS' and proven.drug_class_code = 'A' then 1 else 0 end) as drug_offences_class_a,
        sum(case when proven.offence_category_code = 'DRUGS' and proven.is_drug_supply then 1 else 0 end) as drug_offences_supply
    from frame
    left join proven
        on frame.la_code = proven.la_code
        and proven.outcome_date between frame.period_start and frame.period_end
    group by frame.period_id, frame.la_code
),

by_group as (
    select
        frame.period_id,
        frame.la_code,
        groups.offence_category_code,
        count(proven.offence_id) as syv_offences,
        count(distinct proven.person_id) as syv_children
    from frame
    cross join (
        select 'DRUGS' as offence_category_code
        union all select 'ROBBERY'
        union all select 'VAP'
    ) as groups
    left join proven
        on frame.la_code = proven.la_code
        and groups.offence_category_code = proven.offence_category_code
        and proven.is_serious_violence
        and proven.outcome_date between frame.period_start and frame.period_end
    group by frame.period_id, frame.la_code, groups.offence_category_code
)

{{ measure_row('P3_YJ_KPI_SERIOUS_VIOLENCE', 'count_caseload', 'count', 'caseload') }}
union all
{{ measure_row('P3_YJ_KPI_SERIOUS_VIOLENCE', 'percent', 'percent', 'convicted_on_caseload', 'caseload') }}
union all
{{ measure_row('P3_YJ_KPI_SERIOUS_VIOLENCE', 'count_syv_offences', 'count', 'syv_offences') }}
union all
{{ measure_row('P3_YJ_KPI_SERIOUS_VIOLENCE', 'count_syv_offences', 'count', 'syv_offences', breakdown="'offence_group'", breakdown_value='offence_category_code', relation='by_group') }}
union all
{{ measure_row('P3_YJ_KPI_SERIOUS_VIOLENCE', 'count_syv_children', 'count', 'syv_children') }}
union all
{{ measure_row('P3_YJ_KPI_SERIOUS_VIOLENCE', 'count_syv_children', 'count', 'syv_children', breakdown="'offence_group'", breakdown_value='offence_category_code', relation='by_group') }}
union all
{{ measure_row('P3_YJ_KPI_SERIOUS_VIOLENCE', 'count_drug_offences', 'count', 'drug_offences') }}
union all
{{ measure_row('P3_YJ_KPI_SERIOUS_VIOLENCE', 'count_drug_offences_class_a', 'count', 'drug_offences_class_a') }}
union all
{{ measure_row('P3_YJ_KPI_SERIOUS_VIOLENCE', 'count_drug_offences_supply', 'count', 'drug_offences_supply') }}
