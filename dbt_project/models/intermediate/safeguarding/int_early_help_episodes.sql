-- Early help episodes (one row per child) with what P1_EARLY_HELP_FAMILIES and the early help
-- stream of P3_REREFERRAL_12M need: the family key (family id, or the child when none is
-- recorded), whether the child's previous early help episode closed in the 12 months before this
-- one started (a repeat), and whether the child was referred to children's social care after the
-- episode started and no later than 12 months after it closed (a step-up).
with episodes as (
    select * from {{ ref('stg_mosaic__early_help_episodes') }}
),

referrals as (
    select * from {{ ref('stg_mosaic__referrals') }}
),

sequenced as (
    select
        episodes.*,
        lag(episodes.end_date) over (
            partition by episodes.la_code, episodes.person_id order by episodes.start_date, episodes.episode_id
        ) as previous_end_date
    from episodes
),

stepped_up as (
    select episodes.la_code, episodes.episode_id, min(referrals.referral_date) as step_up_referral_date
    from episodes
    inner join referrals
        on episodes.la_code = referrals.la_code
        and episodes.person_id = referrals.person_id
        and referrals.referral_date > episodes.start_date
        and episodes.end_date is not null
        and referrals.referral_date <= {{ dbt.dateadd('month', 12, 'episodes.end_date') }}
    group by episodes.la_code, episodes.episode_id
)

select
    sequenced.la_code,
    sequenced.episode_id,
    sequenced.person_id,
    -- Families and children are pseudonymised in namespaces of their own, so a family's key and
    -- a child's never coincide: no prefix is needed to keep them apart.
    coalesce(sequenced.family_id, sequenced.person_id) as family_key,
    sequenced.start_date,
    sequenced.end_date,
    {{ financial_year_of('sequenced.start_date') }} as start_financial_year,
    {{ financial_year_of('sequenced.end_date') }} as end_financial_year,
    sequenced.reason_code,
    sequenced.end_reason_code,
    sequenced.previous_end_date,
    (sequenced.previous_end_date is not null
        and sequenced.previous_end_date <= sequenced.start_date
        and sequenced.previous_end_date >= {{ dbt.dateadd('month', -12, 'sequenced.start_date') }}) as follows_closure_within_12_months,
    stepped_up.step_up_referral_date,
    (stepped_up.episode_id is not null) as stepped_up_within_12_months
from sequenced
left join stepped_up
    on sequenced.la_code = stepped_up.la_code
    and sequenced.episode_id = stepped_up.episode_id
