-- Where each unit's territory is today (contract section 8, geography current): the end of
-- its chain of successors, while that unit still exists; null for a unit that ended
-- without one (it has no current figures). A unit that exists today is its own.
with recursive regions as (
    select * from {{ ref('stg_reference__regions') }}
),

validation_dates as (
    select * from {{ ref('stg_landing__validation_dates') }}
),

chains (region_code, step_code, steps) as (
    select region_code, region_code, 0 from regions

    union all

    select chains.region_code, regions.successor_code, chains.steps + 1
    from chains
    inner join regions on regions.region_code = chains.step_code
    where regions.successor_code is not null and chains.steps < 100  -- cycles fail the load
),

chain_ends as (
    select region_code, arg_max(step_code, steps) as end_code
    from chains
    group by region_code
),

today as (
    select coalesce(max(today), current_date) as today from validation_dates
)

select
    chain_ends.region_code,
    case when ends.valid_to is null or ends.valid_to >= today.today then chain_ends.end_code end
        as current_code
from chain_ends
inner join regions as ends on ends.region_code = chain_ends.end_code
cross join today
