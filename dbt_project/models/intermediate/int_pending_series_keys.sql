-- The (region, year) keys whose series statistics a build by key recomputes: every year of
-- every unit whose own observations changed. A unit's series (one metric, sector and
-- period type over all its periods) is judged as a whole (int_outlier_values), so one new
-- value rescores all of it; the units above it have series of their own.
with pending_regions as (
    select distinct region_code from {{ ref('stg_landing__pending_model_keys') }}
),

calendar_years as (
    select distinct cast(year as varchar) as year from {{ ref('int_calendar') }}
)

select pending_regions.region_code, calendar_years.year
from pending_regions
cross join calendar_years
