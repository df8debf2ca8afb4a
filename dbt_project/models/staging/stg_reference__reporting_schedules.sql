with reporting_schedules as (
    select * from {{ source('reference', 'reporting_schedules') }}
)

select
    dataset,
    metric_codes,
    country_code,
    level,
    period_type,
    due_days,
    first_period,
    last_period
from reporting_schedules
