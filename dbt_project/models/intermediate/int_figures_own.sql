-- Each unit's own figures for every period (contract section 8): what it reported, else
-- the figures of its own periods directly inside (months make quarters, quarters make
-- halves, halves make years). `contributing` counts the parts that had a figure,
-- `expected` the parts in which the unit existed.
-- The large CTEs are `not materialized`: DuckDB would otherwise hold each one read twice
-- whole (millions of rows) and spill or run out of memory under the connection's limit.
{%- set steps = [('quarter', 'month'), ('half', 'quarter'), ('year', 'half')] %}
with reported as not materialized (
    select * from {{ ref('int_figures_reported') }}
    where {{ is_pending_figure_key() }}
),

calendar as (
    select * from {{ ref('int_calendar') }}
),

regions as (
    select * from {{ ref('stg_reference__regions') }}
),

-- how many periods directly inside each period the unit existed in
parts_expected as (
    select regions.region_code, calendar.parent_period as period, count(*) as expected
    from regions
    inner join calendar on {{ valid_in('regions', 'calendar') }}
    where calendar.parent_period is not null
    group by all
),

reported_in_calendar as not materialized (
    select
        reported.*,
        calendar.period_type,
        calendar.period_start,
        calendar.parent_period,
        'reported' as derivation,
        1 as contributing,
        1 as expected
    from reported
    inner join calendar using (period)
),

own_month as not materialized (
    select * from reported_in_calendar where period_type = 'month'
),
{% for longer, shorter in steps %}

summed_{{ longer }} as (
    select
        {{ figure_measure() }},
        region_code,
        parent_period as period,
        sector,
        {{ over_time('a') }} as a,
        {{ over_time('b') }} as b,
        count(*) as contributing
    from own_{{ shorter }}
    group by {{ figure_measure() }}, region_code, parent_period, sector
),

own_reports_{{ longer }} as (
    select * from reported_in_calendar where period_type = '{{ longer }}'
),

own_{{ longer }} as not materialized (
    select * from own_reports_{{ longer }}

    union all by name

    select
        summed.*,
        calendar.period_type,
        calendar.period_start,
        calendar.parent_period,
        'period_sum' as derivation,
        parts_expected.expected
    from summed_{{ longer }} as summed
    inner join calendar using (period)
    inner join parts_expected using (region_code, period)
    -- a unit's own report for the period wins; only reports of this period type can match
    anti join own_reports_{{ longer }} as own_report
        using (measure_type, measure, region_code, period, sector)
){{ "," if not loop.last }}
{%- endfor %}

{% for period_type in ['month', 'quarter', 'half', 'year'] %}
select
    {{ figure_measure() }}, region_code, period, sector, a, b, derivation, contributing, expected
from own_{{ period_type }}
{{ "union all" if not loop.last }}
{% endfor %}
