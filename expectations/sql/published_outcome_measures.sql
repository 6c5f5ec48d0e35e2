-- published.outcome_measures row by row, with what each rule needs: the value recomputed from
-- the numerator and denominator at the published rounding, the text a reader should see, and
-- the true figure in the marts (a published figure must be the mart's figure, rounded).
with published as (
    select
        *,
        case unit
            when 'percent' then 100.0 when 'rate_per_10k' then 10000.0 when 'rate_per_100k' then 100000.0
            when 'rate_per_1000' then 1000.0 when 'rate_per_100' then 100.0 else 1.0
        end as scale,
        value_published not in ('c', 'z', 'x') as is_shown
    from published.outcome_measures
)

select
    published.*,
    case
        when not published.is_shown or published.value is null then null
        when published.unit = 'count' then abs(published.value - coalesce(published.numerator, published.value))
        when published.numerator is null or published.denominator is null or published.denominator = 0 then null
        else abs(published.value - round(published.numerator * published.scale / published.denominator, published.decimal_places))
    end as rounding_error,
    published.value_published = 'c' and (published.numerator is not null or published.denominator is not null or published.value is not null) as prints_when_suppressed,
    published.is_shown and (
        (published.unit in ('count', 'percent', 'rate_per_10k', 'rate_per_100k', 'rate_per_1000', 'rate_per_100', 'ratio')
            and coalesce(published.numerator, case when published.unit = 'count' then published.value end) between 1 and {suppression_threshold})
        or (published.unit in ('percent', 'mean', 'days', 'score', 'ratio') and published.denominator between 1 and {suppression_threshold})
    ) as small_count_shown,
    published.is_shown and published.unit not in ('count', 'rate_per_10k', 'rate_per_100k', 'rate_per_1000')
        and published.denominator < {suppression_min_denominator} as small_denominator_shown,
    (published.value_published = 'c') <> (published.suppression_reason is not null) as reason_mismatch,
    published.is_shown and published.value_published <> case
        when published.decimal_places = 0 then cast(cast(published.value as bigint) as varchar)
        when published.decimal_places = 1 then printf('%.1f', published.value)
        when published.decimal_places = 2 then printf('%.2f', published.value)
        else printf('%.3f', published.value)
    end as display_mismatch,
    marts.measure_id is null as not_in_marts,
    published.is_shown and abs(published.value - round(marts.value, published.decimal_places)) > 1e-9 as differs_from_marts
from published
left join {schema}.outcome_measures as marts
    on marts.measure_id = published.measure_id
    and marts.area_code = published.area_code
    and marts.period_type = published.period_type
    and marts.period_end = published.period_end
    and marts.statistic = published.statistic
    and marts.breakdown = published.breakdown
    and marts.breakdown_value = published.breakdown_value
