-- The DfE care leaver cohort of each year (SSDA903 OC3): care leavers whose 17th to 21st
-- birthday fell in the financial year and who had left care by that birthday (a young person
-- leaving care on their 18th birthday is in the 18-year-old cohort; the 17-year-olds are those
-- who left before 17), with the contact around that birthday. A birthday with no contact stays
-- in the cohort as not in touch / not known. DfE leaves out those looked after only on short
-- breaks (they are never care leavers here), those who have died, those who returned home to
-- parents for six months or more (RHOM), and those whose care was transferred to another council.
with extract as (
    select extract_date from {{ ref('int_extract_dates') }} where source_system = 'mosaic'
),

leavers as (
    select * from {{ ref('int_care_leaver_eligibility') }}
    where is_care_leaver and date_of_birth is not null
),

ages as (
    select age from (values (17), (18), (19), (20), (21)) as care_leaver_ages (age)
),

birthdays as (
    select
        leavers.*,
        ages.age,
        cast({{ dbt.dateadd('year', 'ages.age', 'leavers.date_of_birth') }} as date) as birthday
    from leavers
    cross join ages
),

in_scope as (
    select
        birthdays.*,
        {{ financial_year_of('birthdays.birthday') }} as collection_year
    from birthdays
    cross join extract
    where birthdays.birthday <= extract.extract_date
        and (birthdays.left_care_date is null or birthdays.left_care_date <= birthdays.birthday)
),

contacts as (
    select * from {{ ref('int_care_leaver_contacts') }}
),

deaths as (
    select la_code, person_id, min(collection_year) as died_in_year
    from contacts
    where in_touch_code = 'DIED'
    group by la_code, person_id
)

select
    in_scope.la_code,
    in_scope.person_id,
    in_scope.age,
    case when in_scope.age = 17 then '17' when in_scope.age = 18 then '18' else '19-21' end as age_band,
    in_scope.birthday,
    in_scope.collection_year,
    in_scope.left_care_date,
    in_scope.is_former_uasc,
    in_scope.sex,
    contacts.contact_id,
    contacts.contact_date,
    contacts.in_touch_code,
    contacts.accommodation_code,
    contacts.activity_code,
    coalesce(contacts.is_in_touch, false) as is_in_touch,
    coalesce(contacts.is_suitably_accommodated, false) as is_suitably_accommodated,
    coalesce(contacts.is_eet, false) as is_eet,
    coalesce(contacts.is_higher_education, false) as is_higher_education,
    (
        in_scope.is_care_transferred
        or coalesce(contacts.in_touch_code in ('DIED', 'RHOM'), false)
        or coalesce(deaths.died_in_year <= in_scope.collection_year, false)
        or coalesce(in_scope.date_of_death <= in_scope.birthday, false)
    ) as is_excluded
from in_scope
left join contacts
    on in_scope.la_code = contacts.la_code
    and in_scope.person_id = contacts.person_id
    and in_scope.collection_year = contacts.collection_year
left join deaths
    on in_scope.la_code = deaths.la_code
    and in_scope.person_id = deaths.person_id
