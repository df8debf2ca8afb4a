-- Every indicator of indicators.csv for every unit, level, period and sector where a rate
-- exists, in both geographies (contract section 8). A unit's own report comes first: the
-- rows of the three section 6 facts (its pair of counts, or else the rate it reported);
-- every other rate is 100 x the summed numerators / the summed denominators of a derived
-- pair, never an average of rates, with the target that holds (int_unit_targets) and the
-- rank among the units of the same parent. A build by key rebuilds the pending figure keys
-- and their siblings (int_pending_rank_keys): a new rate reorders its siblings' ranks.
with reported_rates as (
    select * from {{ ref('int_indicator_rates') }}
    where rate_pct is not null and {{ is_pending_figure_key(keys='ranks') }}
),

groups as (
    select * from {{ ref('int_current_groups') }}
),

pairs as (
    {{ figures_in_both_geographies('indicator', keys='ranks') }}
),

-- the units' own reports: as sent, and in today's units where a unit existed alone and
-- unchanged in the period
own_reports as (
    select 'as_reported' as geography, * from reported_rates
    union all
    select 'current' as geography, reported_rates.*
    from reported_rates
    inner join groups using (region_code, period)
    where groups.only_itself and groups.unchanged
),

derived as (
    select
        pairs.geography,
        pairs.measure as indicator,
        pairs.region_code,
        pairs.period,
        pairs.sector,
        pairs.a as numerator,
        pairs.b as denominator,
        100.0 * pairs.a / pairs.b as rate_pct,
        cast(null as double) as reported_rate_pct,
        'counts' as rate_source,
        pairs.derivation,
        pairs.contributing,
        pairs.expected
    from pairs
    anti join own_reports
        on own_reports.geography = pairs.geography
        and own_reports.indicator = pairs.measure
        and own_reports.region_code = pairs.region_code
        and own_reports.period = pairs.period
        and own_reports.sector = pairs.sector
    where pairs.b > 0 and pairs.derivation <> 'reported'
),

own as (
    select
        geography,
        indicator,
        region_code,
        period,
        sector,
        numerator,
        denominator,
        rate_pct,
        reported_rate_pct,
        rate_source,
        'reported' as derivation,
        1 as contributing,
        1 as expected
    from own_reports
),

indicator_rows as (
    select * from own
    union all
    select * from derived
),

regions as (
    select * from {{ ref('stg_reference__regions') }}
),

calendar as (
    select * from {{ ref('int_calendar') }}
),

unit_targets as (
    select * from {{ ref('int_unit_targets') }}
)

select
    indicator_rows.indicator,
    indicator_rows.geography,
    indicator_rows.region_code,
    regions.level as region_level,
    regions.parent_code,
    regions.country_code,
    indicator_rows.period,
    calendar.period_type,
    calendar.period_start,
    calendar.period_end,
    indicator_rows.sector,
    cast(indicator_rows.numerator as bigint) as numerator,
    cast(indicator_rows.denominator as bigint) as denominator,
    indicator_rows.rate_pct,
    indicator_rows.reported_rate_pct,
    indicator_rows.rate_source,
    indicator_rows.derivation,
    cast(indicator_rows.contributing as integer) as contributing,
    cast(indicator_rows.expected as integer) as expected,
    indicator_rows.contributing = indicator_rows.expected as complete,
    unit_targets.target_pct,
    indicator_rows.rate_pct - unit_targets.target_pct as target_gap_pp,
    indicator_rows.rate_pct >= unit_targets.target_pct as target_met,
    -- within the units of the same level and parent (the rebuild holds every one of them)
    cast(rank() over (siblings order by indicator_rows.rate_pct desc) as integer)
        as rank_in_parent,
    cast(count(*) over siblings as integer) as units_ranked
from indicator_rows
inner join regions using (region_code)
inner join calendar using (period)
left join unit_targets using (indicator, region_code, period)
window siblings as (
    partition by indicator_rows.indicator, indicator_rows.geography, indicator_rows.period,
        indicator_rows.sector, regions.level, regions.parent_code
)
order by indicator, geography, region_code, calendar.period_start, calendar.period_type, sector
