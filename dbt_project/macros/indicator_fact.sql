{#- One fact table per indicator: the rows of int_indicator_rates for that indicator. -#}
{% macro indicator_fact(indicator) %}
with indicator_rates as (
    select * from {{ ref('int_indicator_rates') }}
    where indicator = '{{ indicator }}' and rate_pct is not null and {{ is_pending_key() }}
)

select
    region_code,
    period,
    period_type,
    period_start,
    period_end,
    sector,
    numerator,
    denominator,
    rate_pct,
    reported_rate_pct,
    rate_source
from indicator_rates
order by region_code, period_start, period_type, sector
{% endmacro %}
