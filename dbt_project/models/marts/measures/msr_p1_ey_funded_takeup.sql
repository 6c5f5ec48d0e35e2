-- P1_EY_FUNDED_TAKEUP: funded early education, per funding term, reported at the quarter end
-- inside the term (30 September and 31 December: autumn; 31 March: spring, the January
-- census; 30 June: summer). (a) Take-up by eligible 2-year-olds: children on the eligibility
-- list for the term who have a funded 2-year-old place that term. (b) Children with a
-- universal 15-hour place and with an extended 30-hour place (counts; the change on the year
-- before is the long table's previous value). (c) Children aged 3-4 with early years pupil
-- premium. Counted by the authority paying for the place (and, for eligibility, where the
-- child lives). Quarter ends in terms the extract does not cover have no figure (rather
-- than a zero).
with funding as (
    select * from {{ ref('stg_education__early_years_funding') }}
),

eligible as (
    select * from {{ ref('stg_education__two_year_old_eligibility') }}
),

covered_terms as (
    select academic_year, term from funding
    union
    select academic_year, term from eligible
),

frame as (
    select area.la_code, area.period_id, terms.academic_year, terms.term
    from (
        select
            area.la_code,
            area.period_id,
            {{ academic_year_of('area.period_end') }} as academic_year,
            case extract(month from area.period_end) when 3 then 'SPR' when 6 then 'SUM' else 'AUT' end as term
        from ({{ area_periods(['snapshot']) }}) as area
    ) as area
    inner join covered_terms as terms
        on area.academic_year = terms.academic_year
        and area.term = terms.term
),

two_year_olds as (
    select
        eligible.la_code,
        eligible.academic_year,
        eligible.term,
        count(distinct eligible.child_key) as eligible,
        count(distinct places.child_key) as taking_up
    from eligible
    left join funding as places
        on eligible.child_key = places.child_key
        and eligible.academic_year = places.academic_year
        and eligible.term = places.term
        and places.funding_type_code = 'TWO'
    group by eligible.la_code, eligible.academic_year, eligible.term
),

places as (
    select
        la_code,
        academic_year,
        term,
        count(distinct case when funding_type_code = 'TWO' then child_key end) as two_year_old_places,
        count(distinct case when funding_type_code = 'U15' then child_key end) as universal,
        count(distinct case when funding_type_code = 'E30' then child_key end) as extended,
        count(distinct case when funding_type_code in ('U15', 'E30') and is_eypp then child_key end) as eypp
    from funding
    group by la_code, academic_year, term
),

counted as (
    select
        frame.la_code,
        frame.period_id,
        coalesce(two_year_olds.eligible, 0) as eligible,
        coalesce(two_year_olds.taking_up, 0) as taking_up,
        coalesce(places.two_year_old_places, 0) as two_year_old_places,
        coalesce(places.universal, 0) as universal,
        coalesce(places.extended, 0) as extended,
        coalesce(places.eypp, 0) as eypp
    from frame
    left join two_year_olds
        on frame.la_code = two_year_olds.la_code
        and frame.academic_year = two_year_olds.academic_year
        and frame.term = two_year_olds.term
    left join places
        on frame.la_code = places.la_code
        and frame.academic_year = places.academic_year
        and frame.term = places.term
)

{{ measure_row('P1_EY_FUNDED_TAKEUP', 'pct_2yo_takeup', 'percent', 'taking_up', 'eligible') }}
union all
{{ measure_row('P1_EY_FUNDED_TAKEUP', 'count_2yo_eligible', 'count', 'eligible') }}
union all
{{ measure_row('P1_EY_FUNDED_TAKEUP', 'count_2yo_funded', 'count', 'two_year_old_places') }}
union all
{{ measure_row('P1_EY_FUNDED_TAKEUP', 'count_3_4yo_15h', 'count', 'universal') }}
union all
{{ measure_row('P1_EY_FUNDED_TAKEUP', 'count_3_4yo_30h', 'count', 'extended') }}
union all
{{ measure_row('P1_EY_FUNDED_TAKEUP', 'count_eypp', 'count', 'eypp') }}
