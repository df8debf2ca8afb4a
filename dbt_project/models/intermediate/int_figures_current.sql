-- Every figure in today's units (geography current, contract section 8). Within a period
-- in which a unit of today existed alone and unchanged, its figure is its as_reported
-- one; where the units it holds today were others (before a merge), the sum of their
-- figures (restated); a period across the change is summed over time from its parts
-- (a month, which has none, is restated). Only counts: rates come from these pairs.
-- A build by key recomputes the pending (region, year) keys; a pending unit's units below
-- that are not pending keep their figures, read from this table.
{%- set steps = [('quarter', 'month'), ('half', 'quarter'), ('year', 'half')] %}
with successions as (
    select * from {{ ref('int_region_successions') }}
),

{%- if is_incremental() %}

-- in a build by key, the units whose figures go into a pending unit (itself among them
-- while it exists), for the pending years
members_of_pending as (
    select successions.region_code, keys.year
    from successions
    inner join {{ ref('int_pending_figure_keys') }} as keys
        on keys.region_code = successions.current_code
),
{%- endif %}

-- read several times: inlined (`not materialized`) rather than held whole
as_reported as not materialized (
    select * from {{ ref('int_figures_as_reported') }}
    {%- if is_incremental() %}
    where (region_code, left(period, 4)) in (select region_code, year from members_of_pending)
    {%- endif %}
),

groups as (
    select * from {{ ref('int_current_groups') }}
),

regions as (
    select * from {{ ref('stg_reference__regions') }}
),

calendar as (
    select * from {{ ref('int_calendar') }}
),

groups_in_calendar as (
    select groups.*, calendar.period_type, calendar.parent_period
    from groups
    inner join calendar using (period)
),

kept as (
    select as_reported.* exclude (children_a, children_b, children_contributing, children_expected)
    from as_reported
    inner join groups_in_calendar as groups using (region_code, period)
    where groups.only_itself and groups.unchanged and {{ is_pending_figure_key() }}
),

restated as (
    select
        {{ figure_measure() }},
        successions.current_code as region_code,
        as_reported.period,
        as_reported.sector,
        sum(as_reported.a) as a,
        sum(as_reported.b) as b,
        'restated' as derivation,
        count(*) as contributing,
        any_value(groups.members) as expected
    from as_reported
    inner join successions using (region_code)
    inner join groups_in_calendar as groups
        on groups.region_code = successions.current_code and groups.period = as_reported.period
    where ((groups.unchanged and not groups.only_itself)
        or (not groups.unchanged and groups.period_type = 'month'))
        and {{ is_pending_figure_key('successions.current_code', 'as_reported.period') }}
    group by all
),

current_month as (
    select kept.* from kept inner join calendar using (period) where calendar.period_type = 'month'
    union all
    select restated.* from restated inner join calendar using (period)
    where calendar.period_type = 'month'
),
{% for longer, shorter in steps %}

-- the periods across a change: from the figures of today's unit for the parts
summed_{{ longer }} as (
    select
        {{ figure_measure() }},
        figures.region_code,
        calendar.parent_period as period,
        figures.sector,
        {{ over_time('figures.a') }} as a,
        {{ over_time('figures.b') }} as b,
        'period_sum' as derivation,
        count(*) as contributing,
        any_value(parts.expected) as expected
    from current_{{ shorter }} as figures
    inner join calendar using (period)
    inner join groups_in_calendar as groups
        on groups.region_code = figures.region_code and groups.period = calendar.parent_period
    inner join (
        select region_code, parent_period as period, count(*) as expected
        from groups_in_calendar
        where parent_period is not null
        group by all
    ) as parts on parts.region_code = figures.region_code and parts.period = calendar.parent_period
    where not groups.unchanged
    group by {{ figure_measure() }}, figures.region_code, calendar.parent_period, figures.sector
),

current_{{ longer }} as (
    select figures.* from (select * from kept union all by name select * from restated) as figures
    inner join calendar using (period)
    where calendar.period_type = '{{ longer }}'
    union all by name
    select * from summed_{{ longer }}
),
{%- endfor %}

figures as (
    {%- for period_type in ['month', 'quarter', 'half', 'year'] %}
    select * from current_{{ period_type }}
    {{- " union all by name" if not loop.last }}
    {%- endfor %}
),

{%- if is_incremental() %}

-- the figures of the units below a pending unit that are not rebuilt
unchanged_below as (
    {{ figures_kept_below() }}
),
{%- endif %}

-- the sums over today's units directly below, as as_reported has them
children as (
    {%- set figures_below %}
    (
        select {{ figure_measure() }}, region_code, period, sector, a, b from figures
        {%- if is_incremental() %}
        union all
        select * from unchanged_below
        {%- endif %}
    )
    {%- endset %}
    {{ sums_over_units_below(figures_below) }}
),

children_expected as (
    select regions.parent_code as region_code, groups.period, count(*) as children_expected
    from groups
    inner join regions using (region_code)
    where regions.parent_code is not null
    group by all
),

with_children as (
    select
        figures.*,
        children.children_a,
        children.children_b,
        children.children_contributing,
        case when children.children_a is not null then children_expected.children_expected end
            as children_expected
    from figures
    left join children using (measure_type, measure, over_time, region_code, period, sector)
    left join children_expected using (region_code, period)
)

-- a sum over the units below that were others then (a country in 2024) is a sum over
-- today's units below: the same counts, its parts counted as they are today
select
    * exclude (recount) replace (
        if(recount, children_a, a) as a,
        if(recount, children_b, b) as b,
        if(recount, children_contributing, contributing) as contributing,
        if(recount, children_expected, expected) as expected
    )
from (
    select *, derivation = 'children_sum' and children_a is not null as recount
    from with_children
) as figures
