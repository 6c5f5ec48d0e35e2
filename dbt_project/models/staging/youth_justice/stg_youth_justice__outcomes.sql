-- Outcomes (disposals) given by the youth justice system (latest extract).
with source as (
    {{ from_latest_extract('youth_justice', 'yj_outcome') }}
)

select
    la_code,
    outcome_id,
    yj_person_id as person_id,
    outcome_date,
    outcome_type as outcome_type_code,
    first_ever_flag as is_first_ever_recorded,
    order_length_months
from source
