-- Each indicator's rate: 100 x numerator / denominator from the counts when both exist
-- (never an average of percentages), else the reported rate. A numerator above its
-- denominator rejects both counts; a reported rate more than 0.5 points away from the
-- counts' rate is flagged.
with components as (
    select * from {{ ref('int_indicator_components') }}
    where {{ is_pending_key() }}
),

checked as (
    select
        *,
        coalesce(numerator_value > denominator_value, false) as numerator_exceeds_denominator
    from components
),

rated as (
    select
        *,
        case
            when not numerator_exceeds_denominator and denominator_value > 0
                then 100.0 * numerator_value / denominator_value
        end as counts_rate_pct
    from checked
)

select
    indicator,
    region_code,
    period,
    period_type,
    period_start,
    period_end,
    sector,
    numerator_exceeds_denominator,
    counts_rate_pct,
    case when counts_rate_pct is not null then cast(numerator_value as bigint) end as numerator,
    case when counts_rate_pct is not null then cast(denominator_value as bigint) end as denominator,
    coalesce(counts_rate_pct, reported_rate_value) as rate_pct,
    reported_rate_value as reported_rate_pct,
    case
        when counts_rate_pct is not null then 'counts'
        when reported_rate_value is not null then 'reported'
    end as rate_source,
    coalesce(abs(counts_rate_pct - reported_rate_value) > 0.5, false) as rate_mismatch
from rated
