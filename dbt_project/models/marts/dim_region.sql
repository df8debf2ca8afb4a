with regions as (
    select * from {{ ref('stg_reference__regions') }}
),

successions as (
    select * from {{ ref('int_region_successions') }}
)

select
    regions.region_code,
    regions.name,
    regions.name_local,
    regions.level,
    regions.parent_code,
    regions.country_code,
    regions.valid_from,
    regions.valid_to,
    regions.successor_code,
    successions.current_code
from regions
left join successions using (region_code)
order by regions.country_code, regions.level, regions.region_code
