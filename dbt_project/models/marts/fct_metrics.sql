-- Every count metric's figure for every unit, level, period and sector with one, in both
-- geographies (contract section 8), with how it was derived and whether every part was
-- there.
with figures as (
    {{ figures_in_both_geographies('metric') }}
),

regions as (
    select * from {{ ref('stg_reference__regions') }}
),

calendar as (
    select * from {{ ref('int_calendar') }}
)

select
    figures.measure as metric_code,
    figures.geography,
    figures.region_code,
    regions.level as region_level,
    regions.parent_code,
    figures.period,
    calendar.period_type,
    calendar.period_start,
    calendar.period_end,
    figures.sector,
    figures.a as value,
    figures.derivation,
    cast(figures.contributing as integer) as contributing,
    cast(figures.expected as integer) as expected,
    figures.contributing = figures.expected as complete,
    figures.children_a as children_value,
    cast(figures.children_contributing as integer) as children_contributing,
    cast(figures.children_expected as integer) as children_expected
from figures
inner join regions using (region_code)
inner join calendar using (period)
order by metric_code, geography, region_code, calendar.period_start, calendar.period_type, sector
