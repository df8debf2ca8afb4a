-- Reporting completeness and timeliness (contract section 9): per dataset and period of
-- each schedule, for every unit that must report and every unit above it, how many reports
-- were expected, received and received on time. Only reports of units valid in the period
-- are expected, so neither percentage exceeds 100. Rebuilt by the figure keys: a changed
-- report changes its unit's row and those of the units above it.
with reports as (
    select * from {{ ref('int_scheduled_reports') }}
),

ancestors as (
    select * from {{ ref('int_region_ancestors') }}
),

regions as (
    select * from {{ ref('stg_reference__regions') }}
),

calendar as (
    select * from {{ ref('int_calendar') }}
),

counted as (
    select
        reports.dataset,
        ancestors.ancestor_code as region_code,
        reports.period,
        count(*) as expected_reports,
        count(*) filter (where reports.is_received) as received_reports,
        count(*) filter (where reports.is_on_time) as on_time_reports,
        max(reports.due_at) as due_at
    from reports
    inner join ancestors using (region_code)
    where {{ is_pending_figure_key('ancestors.ancestor_code', 'reports.period') }}
    group by all
)

select
    counted.dataset,
    counted.region_code,
    regions.level as region_level,
    regions.parent_code,
    regions.country_code,
    counted.period,
    calendar.period_type,
    calendar.period_start,
    calendar.period_end,
    counted.expected_reports,
    counted.received_reports,
    counted.on_time_reports,
    counted.due_at,
    100.0 * counted.received_reports / counted.expected_reports as completeness_pct,
    100.0 * counted.on_time_reports / counted.expected_reports as timeliness_pct
from counted
inner join regions using (region_code)
inner join calendar using (period)
