with regions as (
    select * from {{ source('reference', 'regions') }}
)

select
    region_code,
    name,
    name_local,
    level,
    parent_code,
    country_code,
    valid_from,
    valid_to,
    successor_code
from regions
