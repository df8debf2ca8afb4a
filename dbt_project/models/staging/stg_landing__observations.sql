with validated_observations as (
    select * from {{ source('landing', 'validated_observations') }}
)

select
    file_sha256,
    row_number,
    submitter,
    region_code,
    period,
    period_type,
    period_start,
    period_end,
    metric as metric_code,
    kind as metric_kind,
    sector,
    value,
    value_raw,
    note
from validated_observations
