-- Reporting periods, generated at compile time (a fixed list of dates, so the SQL is the same on
-- every engine), up to the last period that ended on or before the extract date:
--   financial_year     1 April - 31 March          '2022-23'
--   quarter            financial-year quarters     '2022-23 Q4'
--   snapshot           each quarter end            '31 Mar 2023'
--   rolling_12_months  the year to each quarter end (youth justice)   '12 months to Sep 2022'
--   academic_year      1 September - 31 August     '2021/22'
--   calendar_year      1 January - 31 December     '2022'  (SEN2)
-- `mid_year` is the ONS mid-year estimate (30 June) that falls inside the period, or inside the
-- financial year of a quarter or snapshot: the denominator year for rates.
{%- set first_year = var('first_financial_year') | int -%}
{%- set last_year = first_year + 16 -%}
{%- set months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] -%}
{%- set month_days = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] -%}
{%- set rows = [] -%}
{%- for fy in range(first_year, last_year) -%}
    {%- set label = (fy - 1) ~ '-' ~ ('%02d' % (fy % 100)) -%}
    {%- do rows.append(['FY' ~ fy, 'financial_year', (fy - 1) ~ '-04-01', fy ~ '-03-31', label, fy, none, fy - 1]) -%}
    {%- for q in range(1, 5) -%}
        {%- set start_month = [4, 7, 10, 1][q - 1] -%}
        {%- set end_month = start_month + 2 -%}
        {%- set year = fy - 1 if q < 4 else fy -%}
        {%- set q_start = year ~ '-' ~ ('%02d' % start_month) ~ '-01' -%}
        {%- set q_end = year ~ '-' ~ ('%02d' % end_month) ~ '-' ~ month_days[end_month - 1] -%}
        {%- do rows.append(['FY' ~ fy ~ 'Q' ~ q, 'quarter', q_start, q_end, label ~ ' Q' ~ q, fy, q, fy - 1]) -%}
        {%- do rows.append(['S' ~ q_end, 'snapshot', q_end, q_end, month_days[end_month - 1] ~ ' ' ~ months[end_month - 1] ~ ' ' ~ year, fy, q, fy - 1]) -%}
        {%- set r_start_year = year if end_month == 12 else year - 1 -%}
        {%- set r_start_month = 1 if end_month == 12 else end_month + 1 -%}
        {%- set r_start = r_start_year ~ '-' ~ ('%02d' % r_start_month) ~ '-01' -%}
        {%- do rows.append(['R' ~ q_end, 'rolling_12_months', r_start, q_end, '12 months to ' ~ months[end_month - 1] ~ ' ' ~ year, fy, q, year if end_month >= 6 else year - 1]) -%}
    {%- endfor -%}
    {%- set ay_label = (fy - 2) ~ '/' ~ ('%02d' % ((fy - 1) % 100)) -%}
    {%- do rows.append(['AY' ~ (fy - 1), 'academic_year', (fy - 2) ~ '-09-01', (fy - 1) ~ '-08-31', ay_label, none, none, fy - 1]) -%}
    {%- do rows.append(['CY' ~ (fy - 1), 'calendar_year', (fy - 1) ~ '-01-01', (fy - 1) ~ '-12-31', (fy - 1) ~ '', none, none, fy - 1]) -%}
{%- endfor %}

with periods as (
    {% for row in rows -%}
    select
        '{{ row[0] }}' as period_id,
        '{{ row[1] }}' as period_type,
        cast('{{ row[2] }}' as date) as period_start,
        cast('{{ row[3] }}' as date) as period_end,
        '{{ row[4] }}' as period_label,
        cast({{ row[5] if row[5] is not none else 'null' }} as integer) as financial_year,
        cast({{ row[6] if row[6] is not none else 'null' }} as integer) as financial_quarter,
        cast({{ row[7] }} as integer) as mid_year
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
    and periods.period_start >= {{ date_literal((first_year - 1) ~ '-04-01') }}
