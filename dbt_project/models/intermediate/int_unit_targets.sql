-- The target that holds for each indicator, unit and period (targets.csv, contract
-- section 7): a target set for a unit holds for every unit below it, one set for a year
-- for every period within it. The most specific wins: the unit's own before an
-- ancestor's (the nearest first), then the exact period before its year.
with targets as (
    select * from {{ ref('stg_reference__targets') }}
),

ancestors as (
    select * from {{ ref('int_region_ancestors') }}
),

calendar as (
    select * from {{ ref('int_calendar') }}
),

-- each target for the unit it was set for and every unit below, with how far up it was set
inherited as (
    select
        ancestors.region_code,
        targets.indicator,
        targets.period as target_period,
        targets.target_pct,
        ancestors.depth
    from targets
    inner join ancestors on ancestors.ancestor_code = targets.region_code
),

-- ... for the period it was set for, and, set for a year, every period within that year
candidates as (
    select
        inherited.*,
        calendar.period,
        calendar.period <> inherited.target_period as from_year
    from inherited
    inner join calendar
        on left(calendar.period, 4) = left(inherited.target_period, 4)
        and (calendar.period = inherited.target_period or length(inherited.target_period) = 4)
)

select indicator, region_code, period, target_pct, target_period
from candidates
qualify row_number() over (
    partition by indicator, region_code, period order by depth, from_year
) = 1
