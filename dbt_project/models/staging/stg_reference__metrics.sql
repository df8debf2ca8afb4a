with metrics as (
    select * from {{ source('reference', 'metrics') }}
)

select
    metric_code,
    kind as metric_kind,
    over_time,
    nullif(indicator, '') as indicator,
    nullif(role, '') as indicator_role,
    description
from metrics
