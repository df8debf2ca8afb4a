-- For each unit of today and each period: the units whose territory it holds today that
-- existed in the period (itself among them while it existed), and whether the period
-- lies within one arrangement of them (every one of them existed throughout it).
with regions as (
    select * from {{ ref('stg_reference__regions') }}
),

successions as (
    select * from {{ ref('int_region_successions') }}
),

calendar as (
    select * from {{ ref('int_calendar') }}
),

members as (
    select
        successions.current_code as region_code,
        calendar.period,
        regions.region_code as member_code,
        {{ valid_throughout('regions', 'calendar') }} as throughout
    from regions
    inner join successions using (region_code)
    inner join calendar on {{ valid_in('regions', 'calendar') }}
    where successions.current_code is not null
)

select
    region_code,
    period,
    count(*) as members,
    bool_and(member_code = region_code) as only_itself,
    bool_and(throughout) as unchanged
from members
group by region_code, period
