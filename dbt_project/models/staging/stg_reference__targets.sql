with targets as (
    select * from {{ source('reference', 'targets') }}
)

select indicator, region_code, period, target_pct
from targets
