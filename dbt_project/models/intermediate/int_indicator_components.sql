-- The current numerator, denominator and reported rate of each indicator, side by side,
-- per region, period and sector, with where each came from.
with current_observations as (
    select * from {{ ref('int_observations_resolved') }}
    where is_current and {{ is_pending_key() }}
),

indicators as (
    select * from {{ ref('stg_reference__indicators') }}
),

-- each indicator's metrics with the role each plays (a metric may serve several)
indicator_metrics as (
    unpivot indicators
    on numerator_metric as numerator, denominator_metric as denominator,
        reported_rate_metric as reported_rate
    into name indicator_role value metric_code
),

components as (
    select
        current_observations.*,
        indicator_metrics.indicator,
        indicator_metrics.indicator_role
    from current_observations
    inner join indicator_metrics using (metric_code)
)

select
    indicator,
    region_code,
    period,
    period_type,
    period_start,
    period_end,
    sector,
{%- for role in ['numerator', 'denominator', 'reported_rate'] %}
    max(value) filter (where indicator_role = '{{ role }}') as {{ role }}_value,
    max(metric_code) filter (where indicator_role = '{{ role }}') as {{ role }}_metric,
    max(file_sha256) filter (where indicator_role = '{{ role }}') as {{ role }}_file_sha256,
    max(row_number) filter (where indicator_role = '{{ role }}') as {{ role }}_row_number,
    max(value_raw) filter (where indicator_role = '{{ role }}') as {{ role }}_value_raw
    {{- "," if not loop.last }}
{%- endfor %}
from components
group by all
