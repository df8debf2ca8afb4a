-- Every report a reporting schedule expects (contract sections 7 and 9): each unit of the
-- schedule's level and country, for each of its periods in which the unit is valid, with
-- its deadline (the end of the due_days-th day after the period, in DIGIMETRICS_TIMEZONE),
-- whether it was received (every metric of the dataset has an accepted value, sector all)
-- and whether on time (each metric had one from a file submitted before the deadline; a
-- later correction does not move that). Rebuilt by the unit's figure keys.
with schedules as (
    select * from {{ ref('stg_reference__reporting_schedules') }}
    where last_period is not null
),

model_settings as (
    select * from {{ ref('stg_reference__model_settings') }}
),

regions as (
    select * from {{ ref('stg_reference__regions') }}
),

calendar as (
    select * from {{ ref('int_calendar') }}
),

-- labels of one period type sort in time order
scheduled_periods as (
    select schedules.*, calendar.period, calendar.period_start, calendar.period_end
    from schedules
    inner join calendar
        on calendar.period_type = schedules.period_type
        and calendar.period between schedules.first_period and schedules.last_period
),

expected_reports as (
    select
        scheduled_periods.dataset,
        regions.region_code,
        scheduled_periods.period,
        scheduled_periods.period_type,
        scheduled_periods.metric_codes,
        timezone(
            model_settings.timezone,
            cast(scheduled_periods.period_end + scheduled_periods.due_days + 1 as timestamp)
        ) as due_at
    from scheduled_periods
    inner join regions
        on regions.country_code = scheduled_periods.country_code
        and regions.level = scheduled_periods.level
        and {{ valid_in('regions', 'scheduled_periods') }}
    cross join model_settings
    where {{ is_pending_figure_key('regions.region_code', 'scheduled_periods.period') }}
),

expected_metrics as (
    select dataset, region_code, period, due_at, unnest(metric_codes) as metric_code
    from expected_reports
),

accepted as (
    select * from {{ ref('int_observations_accepted') }}
    where sector = 'all'
),

-- per metric: whether it has a value now, and when its first accepted value was submitted
metric_arrivals as (
    select
        expected_metrics.dataset,
        expected_metrics.region_code,
        expected_metrics.period,
        expected_metrics.metric_code,
        bool_or(accepted.is_current) as has_value,
        min(accepted.submission_order_at) as first_submitted_at,
        min(accepted.submission_order_at) < any_value(expected_metrics.due_at) as in_time
    from expected_metrics
    inner join accepted using (region_code, period, metric_code)
    group by all
),

report_arrivals as (
    select
        dataset,
        region_code,
        period,
        count(*) filter (where has_value) as metrics_received,
        count(*) filter (where has_value and in_time) as metrics_in_time,
        max(first_submitted_at) as received_at
    from metric_arrivals
    group by all
)

select
    expected_reports.dataset,
    expected_reports.region_code,
    expected_reports.period,
    expected_reports.period_type,
    expected_reports.due_at,
    coalesce(report_arrivals.metrics_received, 0) = len(expected_reports.metric_codes)
        as is_received,
    coalesce(report_arrivals.metrics_in_time, 0) = len(expected_reports.metric_codes)
        as is_on_time,
    case
        when report_arrivals.metrics_received = len(expected_reports.metric_codes)
            then report_arrivals.received_at
    end as received_at
from expected_reports
left join report_arrivals using (dataset, region_code, period)
