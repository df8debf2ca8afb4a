with metrics as (
    select * from {{ source('reference', 'metrics') }}
)

select
    metric_code,
    kind as metric_kind,
    over_time,
    description
from metrics
