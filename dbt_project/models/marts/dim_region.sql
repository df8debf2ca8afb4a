with regions as (
    select * from {{ ref('stg_reference__regions') }}
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
order by country_code, level, region_code
