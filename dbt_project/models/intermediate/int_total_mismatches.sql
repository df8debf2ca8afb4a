-- total_mismatch (contract section 9, a warning): a unit reported a count for a metric,
-- period and sector, units directly below it reported the same, and their sum differs.
-- One finding on the row of the unit's own value. Rebuilt by the unit's figure keys: a
-- changed value below it makes its key pending too. The accepted values are read where
-- each use filters them (not materialized): held whole, they were millions of rows.
with accepted as not materialized (
    select * from {{ ref('int_observations_accepted') }}
    where is_current and metric_kind = 'count'
),

regions as (
    select * from {{ ref('stg_reference__regions') }}
),

calendar as (
    select * from {{ ref('int_calendar') }}
),

totals as (
    select * from accepted
    where {{ is_pending_figure_key() }}
),

-- what the units directly below each unit reported, summed
parts as (
    select
        children.parent_code as region_code,
        accepted.period,
        accepted.metric_code,
        accepted.sector,
        sum(accepted.value) as parts_value,
        count(*) as units_reporting,
        any_value(children.level) as level_below
    from accepted
    inner join regions as children using (region_code)
    where children.parent_code is not null
        and {{ is_pending_figure_key('children.parent_code', 'accepted.period') }}
    group by all
),

-- how many units directly below each unit existed in each period
units_below as (
    {{ units_below_in_periods('units_below') }}
)

select
    totals.region_code,
    totals.period,
    totals.metric_code,
    totals.sector,
    totals.file_sha256,
    totals.row_number,
    'total_mismatch' as rule,
    'warning' as severity,
    'value' as field,
    totals.value_raw as raw_value,
    {{ observation_label('totals') }}
    || ': reported ' || cast(totals.value as bigint) || '; the ' || parts.units_reporting
    || ' of ' || coalesce(units_below.units_below, parts.units_reporting) || ' '
    || parts.level_below || 's below it that reported sum to ' || cast(parts.parts_value as bigint)
        as message
from totals
inner join parts using (region_code, period, metric_code, sector)
left join units_below using (region_code, period)
where parts.parts_value <> totals.value
