-- Every period that any accepted observation refers to.
with observations as (
    select * from {{ ref('stg_landing__observations') }}
),

periods as (
    select distinct period, period_type, period_start, period_end
    from observations
)

select
    period,
    period_type,
    period_start,
    period_end,
    cast(year(period_start) as integer) as year
from periods
order by period_start, period_end desc
