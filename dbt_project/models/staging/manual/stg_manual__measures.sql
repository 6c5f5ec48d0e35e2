with source as (
    {{ from_latest_extract('manual', 'manual_measures') }}
)

select
    measure_id,
    area_code,
    period_type,
    period_start,
    period_end,
    period_label,
    statistic,
    coalesce(nullif(breakdown, ''), 'all') as breakdown,
    coalesce(nullif(breakdown_value, ''), 'all') as breakdown_value,
    numerator,
    denominator,
    value,
    unit,
    source_note,
    _extract_date as extract_date
from source
