-- Offences recorded by the youth justice service (latest extract), with the outcome that
-- disposed of each (blank while awaiting one).
with source as (
    {{ from_latest_extract('youth_justice', 'yj_offence') }}
)

select
    la_code,
    offence_id,
    yj_person_id as person_id,
    offence_date,
    offence_code,
    offence_description,
    offence_category as offence_category_code,
    gravity_score,
    coalesce(weapon_flag, false) as is_weapon_involved,
    serious_violence_flag as is_serious_violence_recorded,
    -- YJB: serious youth violence is a drugs, robbery or violence against the person offence
    -- with a gravity score of five or more.
    (offence_category in ('DRUGS', 'ROBBERY', 'VAP') and gravity_score >= 5) as is_serious_violence,
    drug_class as drug_class_code,
    coalesce(drug_supply_flag, false) as is_drug_supply,
    outcome_id
from source
