-- Reporting periods: financial years, their quarters, and snapshots at each quarter end, from
-- var('first_financial_year') up to the last period that ended on or before the extract date.
-- Generated at compile time (a fixed list of dates), so the SQL is the same on every engine.
{%- set first_year = var('first_financial_year') | int -%}
{%- set months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] -%}
{%- set quarter_ends = [(1, 6, 30, 0), (2, 9, 30, 0), (3, 12, 31, 0), (4, 3, 31, 1)] -%}
{%- set rows = [] -%}
{%- for fy in range(first_year, first_year + 17) -%}
    {%- set label = (fy - 1) ~ '-' ~ ('%02d' % (fy % 100)) -%}
    {%- do rows.append(("'FY" ~ fy ~ "'", "'financial_year'", "'" ~ (fy - 1) ~ "-04-01'", "'" ~ fy ~ "-03-31'", "'" ~ label ~ "'", fy, 'null')) -%}
    {%- for q, m, d, in_end_year in quarter_ends -%}
        {%- set q_start_month = [4, 7, 10, 1][q - 1] -%}
        {%- set start_year = fy - 1 + in_end_year -%}
        {%- set end_year = fy - 1 + in_end_year -%}
        {%- set q_start = start_year ~ '-' ~ ('%02d' % q_start_month) ~ '-01' -%}
        {%- set q_end = end_year ~ '-' ~ ('%02d' % m) ~ '-' ~ d -%}
        {%- do rows.append(("'FY" ~ fy ~ "Q" ~ q ~ "'", "'quarter'", "'" ~ q_start ~ "'", "'" ~ q_end ~ "'", "'" ~ label ~ " Q" ~ q ~ "'", fy, q)) -%}
        {%- do rows.append(("'S" ~ q_end ~ "'", "'snapshot'", "'" ~ q_end ~ "'", "'" ~ q_end ~ "'", "'" ~ d ~ " " ~ months[m - 1] ~ " " ~ end_year ~ "'", fy, q)) -%}
    {%- endfor -%}
{%- endfor %}

with periods as (
    {% for row in rows -%}
    select
        {{ row[0] }} as period_id,
        {{ row[1] }} as period_type,
        cast({{ row[2] }} as date) as period_start,
        cast({{ row[3] }} as date) as period_end,
        {{ row[4] }} as period_label,
        {{ row[5] }} as financial_year,
        cast({{ row[6] }} as integer) as financial_quarter
    {% if not loop.last %}union all
    {% endif -%}
    {%- endfor %}
)

select
    periods.*,
    -- Snapshots at 31 March are the year-end figures the councils publish.
    (periods.period_type = 'snapshot' and periods.financial_quarter = 4) as is_year_end_snapshot
from periods
cross join {{ ref('int_extract_dates') }} as extract
where periods.period_end <= extract.extract_date
