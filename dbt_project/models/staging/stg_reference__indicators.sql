with indicators as (
    select * from {{ source('reference', 'indicators') }}
)

select
    indicator,
    numerator as numerator_metric,
    denominator as denominator_metric,
    nullif(reported_rate, '') as reported_rate_metric,
    description
from indicators
