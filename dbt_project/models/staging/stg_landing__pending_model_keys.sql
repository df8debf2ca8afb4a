with pending_model_keys as (
    select * from {{ source('landing', 'pending_model_keys') }}
)

select distinct
    region_code,
    period
from pending_model_keys
