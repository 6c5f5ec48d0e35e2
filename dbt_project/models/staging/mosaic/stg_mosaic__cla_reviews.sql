-- Statutory reviews of looked-after children (ssd_cla_reviews), held or due.
with source as (
    {{ from_latest_extract('mosaic', 'ssd_cla_reviews') }}
)

select
    la_code,
    clar_cla_review_id as review_id,
    clar_cla_id as period_of_care_id,
    clar_cla_review_due_date as due_date,
    clar_cla_review_date as review_date,
    coalesce(clar_cla_review_cancelled, false) as is_cancelled,
    clar_cla_review_participation as participation_code
from source
