-- The (region, year) keys that fct_indicators rebuilds: the pending figure keys and, for
-- the same year, every unit that shares a parent with one of them (units without a parent,
-- the countries, share the lack of one). A unit's rank within its parent depends on
-- every sibling's rate, so a sibling's rank may change though its figures did not.
with figure_keys as (
    select * from {{ ref('int_pending_figure_keys') }}
),

regions as (
    select * from {{ ref('stg_reference__regions') }}
)

select region_code, year from figure_keys

union

select siblings.region_code, figure_keys.year
from figure_keys
inner join regions as pending using (region_code)
inner join regions as siblings
    on siblings.parent_code is not distinct from pending.parent_code
