-- P2_PRIMARY_SURPLUS_PLACES: surplus places in the borough's state-funded primary schools at
-- the latest autumn census on or before each quarter end (the councils report "Autumn 2021",
-- "Autumn 2022"): (net capacity - pupils in reception to Year 6) / net capacity, for primary
-- schools open on census day. Stored positive (spare places); the councils print it with a
-- minus sign ("-15.7% in Autumn 2022"). Capacity is the register's current figure, used for
-- every year. Quarter ends before the first autumn census in the extract have no figure.
with snapshots as (
    {{ area_periods(['snapshot']) }}
),

schools as (
    select urn, school_la_code, capacity, open_date, close_date
    from {{ ref('stg_education__schools') }}
    where phase_code = 'PRI' and capacity is not null
),

autumn as (
    select urn, census_date, count(*) as pupils
    from {{ ref('int_pupil_census') }}
    where census_term = 'AUT' and is_in_headcount and year_group between 0 and 6
    group by urn, census_date
),

census_days as (
    select distinct census_date from autumn
),

frame as (
    select
        snapshots.la_code,
        snapshots.period_id,
        census_days.census_date,
        row_number() over (partition by snapshots.la_code, snapshots.period_id order by census_days.census_date desc) as recency
    from snapshots
    inner join census_days
        on census_days.census_date <= snapshots.period_end
),

open_schools as (
    select
        schools.school_la_code as la_code,
        census_days.census_date,
        schools.capacity,
        coalesce(autumn.pupils, 0) as pupils
    from census_days
    cross join schools
    left join autumn
        on schools.urn = autumn.urn and census_days.census_date = autumn.census_date
    where (schools.open_date is null or schools.open_date <= census_days.census_date)
        and (schools.close_date is null or schools.close_date > census_days.census_date)
),

totals as (
    select la_code, census_date, sum(capacity) as capacity, sum(pupils) as pupils
    from open_schools
    group by la_code, census_date
),

counted as (
    select
        frame.la_code,
        frame.period_id,
        coalesce(totals.capacity, 0) as capacity,
        coalesce(totals.pupils, 0) as pupils,
        coalesce(totals.capacity, 0) - coalesce(totals.pupils, 0) as surplus
    from frame
    left join totals
        on frame.la_code = totals.la_code
        and frame.census_date = totals.census_date
    where frame.recency = 1
)

{{ measure_row('P2_PRIMARY_SURPLUS_PLACES', 'percent', 'percent', 'surplus', 'capacity') }}
union all
{{ measure_row('P2_PRIMARY_SURPLUS_PLACES', 'count_places', 'count', 'capacity') }}
union all
{{ measure_row('P2_PRIMARY_SURPLUS_PLACES', 'count_pupils', 'count', 'pupils') }}
