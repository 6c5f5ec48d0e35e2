-- Every youth justice outcome with its YJB tier and route, the age at the (earliest) offence it
-- disposed of, and the child's characteristics. Formal outcomes (cautions and convictions) are
-- numbered per child, so the first one is the child's entry into the youth justice system.
with outcomes as (
    select * from {{ ref('stg_youth_justice__outcomes') }}
),

persons as (
    select * from {{ ref('stg_youth_justice__persons') }}
),

ethnicity_groups as (
    select * from {{ ref('ethnicity_groups') }}
),

offences as (
    select
        la_code,
        outcome_id,
        min(offence_date) as first_offence_date,
        count(*) as offence_count
    from {{ ref('stg_youth_justice__offences') }}
    where outcome_id is not null
    group by la_code, outcome_id
),

typed as (
    select
        outcomes.la_code,
        outcomes.outcome_id,
        outcomes.person_id,
        outcomes.outcome_date,
        outcomes.outcome_type_code,
        outcomes.order_length_months,
        outcomes.is_first_ever_recorded,
        case
            when outcomes.outcome_type_code in ('CR', 'TRIAGE') then 'pre_court_informal'
            when outcomes.outcome_type_code in ('YC', 'YCC') then 'pre_court_formal'
            when outcomes.outcome_type_code in ('AD', 'CD', 'FINE', 'RO') then 'first_tier'
            when outcomes.outcome_type_code in ('YRO', 'YRO_ISS') then 'community'
            when outcomes.outcome_type_code in ('DTO', 'S250', 'CUST_OTHER') then 'custody'
        end as tier,
        -- Cautions and convictions are formal (recorded on the Police National Computer);
        -- community resolutions and triage are not.
        outcomes.outcome_type_code not in ('CR', 'TRIAGE') as is_formal,
        outcomes.outcome_type_code in ('CR', 'TRIAGE', 'YC', 'YCC') as is_out_of_court,
        outcomes.outcome_type_code in ('DTO', 'S250', 'CUST_OTHER') as is_custodial,
        coalesce(offences.first_offence_date, outcomes.outcome_date) as first_offence_date,
        coalesce(offences.offence_count, 0) as offence_count
    from outcomes
    left join offences
        on outcomes.la_code = offences.la_code
        and outcomes.outcome_id = offences.outcome_id
)

select
    typed.*,
    not typed.is_out_of_court as is_court,
    case
        when not typed.is_formal then 'informal'
        when typed.is_out_of_court then 'caution'
        else 'court'
    end as route,
    persons.mosaic_person_id,
    persons.is_resident,
    persons.date_of_birth,
    persons.sex,
    persons.ethnicity,
    coalesce(ethnicity_groups.census_2021_group, 'Not known') as census_2021_group,
    {{ age_at('persons.date_of_birth', 'typed.first_offence_date') }} as age_at_offence,
    {{ financial_year_of('typed.outcome_date') }} as financial_year,
    typed.is_formal and row_number() over (
        partition by typed.la_code, typed.person_id
        order by case when typed.is_formal then 0 else 1 end, typed.outcome_date, typed.outcome_id
    ) = 1 as is_first_formal
from typed
left join persons
    on typed.la_code = persons.la_code
    and typed.person_id = persons.person_id
left join ethnicity_groups
    on persons.ethnicity = ethnicity_groups.ethnicity_code
