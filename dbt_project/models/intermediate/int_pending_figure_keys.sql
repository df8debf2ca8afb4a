-- The (region, year) keys whose figures a build by key recomputes (contract section 8): for
-- every (region, period) whose observations changed, the year of that period for the unit,
-- every unit above it, the units that hold their territory today (the ends of their chains
-- of successors) and every unit above those. In a full build every key is pending, and so
-- is every key with a figure.
with pending_keys as (
    select distinct region_code, left(period, 4) as year
    from {{ ref('stg_landing__pending_model_keys') }}
),

successions as (
    select * from {{ ref('int_region_successions') }}
),

-- every unit with itself and each unit above it
ancestry as (
    select * from {{ ref('int_region_ancestors') }}
),

as_reported_keys as (
    select ancestry.ancestor_code as region_code, pending_keys.year
    from pending_keys
    inner join ancestry using (region_code)
),

current_keys as (
    select ancestry.ancestor_code as region_code, as_reported_keys.year
    from as_reported_keys
    inner join successions using (region_code)
    inner join ancestry on ancestry.region_code = successions.current_code
)

select region_code, year from as_reported_keys
union
select region_code, year from current_keys
