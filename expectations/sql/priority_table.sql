-- A priority table against the long table it is cut from: the same rows (no more, no fewer)
-- with the same figures, and the words of its priority beside them. `{table}` is the priority
-- table; its long table is in the same schema (published or marts).
with priority as (
    select priority from reference.priorities where mart_name = split_part('{table}', '.', 2)
),

cut as (
    select * from {table}
),

whole as (
    select * from {table_schema}.outcome_measures where priority = (select priority from priority)
)

select
    coalesce(cut.measure_id, whole.measure_id) as measure_id,
    coalesce(cut.area_code, whole.area_code) as area_code,
    coalesce(cut.period_label, whole.period_label) as period_label,
    coalesce(cut.statistic, whole.statistic) as statistic,
    coalesce(cut.breakdown, whole.breakdown) as breakdown,
    coalesce(cut.breakdown_value, whole.breakdown_value) as breakdown_value,
    cut.measure_id is not null as in_priority_table,
    whole.measure_id is not null as in_long_table,
    cut.value is not distinct from whole.value
        and cut.numerator is not distinct from whole.numerator
        and cut.denominator is not distinct from whole.denominator as same_figures,
    cut.priority_name is not null and cut.priority_outcome is not null as has_priority_words
from cut
full outer join whole
    on cut.measure_id = whole.measure_id
    and cut.area_code = whole.area_code
    and cut.period_type = whole.period_type
    and cut.period_end = whole.period_end
    and cut.statistic = whole.statistic
    and cut.breakdown = whole.breakdown
    and cut.breakdown_value = whole.breakdown_value
