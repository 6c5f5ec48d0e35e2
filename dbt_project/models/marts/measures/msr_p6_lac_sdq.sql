-- P6_LAC_SDQ (DfE SSDA903 OC2): children aged 5 to 16 at 31 March looked after continuously
-- for 12 months or more (DfE collects from 4, publishes 5-16); the share with a Strengths and
-- Difficulties Questionnaire score recorded in the 12 months to 31 March (`pct_submitted`),
-- the mean total difficulties score of the latest one (`mean_score`), and the shares scoring
-- 17 or more (`pct_concern`), 14-16 (`pct_borderline`) and 0-13 (`pct_normal`). By age band,
-- sex and UASC status.
with frame as (
    {{ area_periods(['snapshot']) }}
    and periods.is_year_end_snapshot
),

cohort as (
    select * from {{ ref('int_cla_oc2_cohort') }}
    where age_at_snapshot between 5 and 16
),

latest_score as (
    select
        cohort.period_id,
        cohort.la_code,
        cohort.person_id,
        scores.total_difficulties_score,
        row_number() over (
            partition by cohort.period_id, cohort.la_code, cohort.person_id
            order by scores.completed_date desc, scores.sdq_id desc
        ) as recency
    from cohort
    inner join {{ ref('stg_mosaic__sdq_scores') }} as scores
        on cohort.la_code = scores.la_code
        and cohort.person_id = scores.person_id
        and scores.total_difficulties_score is not null
        and scores.completed_date > {{ dbt.dateadd('year', -1, 'cohort.snapshot_date') }}
        and scores.completed_date <= cohort.snapshot_date
),

children as (
    select
        cohort.period_id,
        cohort.la_code,
        cohort.person_id,
        latest_score.total_difficulties_score as score,
        {{ cla_age_band_of('cohort.age_at_snapshot') }} as age_band,
        coalesce(cohort.sex, 'Not known') as sex,
        {{ uasc_label('cohort.is_uasc') }} as uasc
    from cohort
    left join latest_score
        on cohort.period_id = latest_score.period_id
        and cohort.la_code = latest_score.la_code
        and cohort.person_id = latest_score.person_id
        and latest_score.recency = 1
),

long as (
    {{ long_breakdowns('children', ['period_id', 'la_code', 'person_id', 'score'], ['age_band', 'sex', 'uasc']) }}
),

counted as (
    select
        frame.period_id,
        frame.la_code,
        breakdowns.breakdown,
        breakdowns.breakdown_value,
        count(long.person_id) as children,
        count(long.score) as scored,
        coalesce(sum(long.score), 0) as total_score,
        sum(case when long.score >= 17 then 1 else 0 end) as concern,
        sum(case when long.score between 14 and 16 then 1 else 0 end) as borderline,
        sum(case when long.score <= 13 then 1 else 0 end) as normal
    from frame
    cross join ({{ breakdown_values('long') }}) as breakdowns
    left join long
        on frame.period_id = long.period_id
        and frame.la_code = long.la_code
        and breakdowns.breakdown = long.breakdown
        and breakdowns.breakdown_value = long.breakdown_value
    group by frame.period_id, frame.la_code, breakdowns.breakdown, breakdowns.breakdown_value
)

{{ measure_row('P6_LAC_SDQ', 'pct_submitted', 'percent', 'scored', 'children', breakdown='breakdown', breakdown_value='breakdown_value') }}
union all
{{ measure_row('P6_LAC_SDQ', 'mean_score', 'mean', 'total_score', 'scored', breakdown='breakdown', breakdown_value='breakdown_value') }}
union all
{{ measure_row('P6_LAC_SDQ', 'pct_concern', 'percent', 'concern', 'scored', breakdown='breakdown', breakdown_value='breakdown_value') }}
union all
{{ measure_row('P6_LAC_SDQ', 'pct_borderline', 'percent', 'borderline', 'scored', where="breakdown = 'all'") }}
union all
{{ measure_row('P6_LAC_SDQ', 'pct_normal', 'percent', 'normal', 'scored', where="breakdown = 'all'") }}
