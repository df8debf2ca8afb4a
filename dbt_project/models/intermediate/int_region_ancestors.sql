-- Every unit with itself (depth 0) and each unit above it, by how many levels up: what a
-- unit inherits from above (targets) and the units a change below reaches (figure keys).
-- The registry's loader refuses parent chains that loop.
with recursive regions as (
    select * from {{ ref('stg_reference__regions') }}
),

ancestry (region_code, ancestor_code, depth) as (
    select region_code, region_code, 0 from regions

    union all

    select ancestry.region_code, regions.parent_code, ancestry.depth + 1
    from ancestry
    inner join regions on regions.region_code = ancestry.ancestor_code
    where regions.parent_code is not null
)

select region_code, ancestor_code, depth from ancestry
