-- Every unit's figure for every period in the units as they were (geography as_reported,
-- contract section 8), built level by level from the bottom: a unit's own report first;
-- else its own shorter periods (int_figures_own) when they are complete, or when the
-- units directly below are not; else the sum of the figures of the units directly below
-- (each already derived by the same rule). Beside every figure, the sum over the units
-- below whenever any of them has one, so that a reported total can be reconciled.
-- A build by key recomputes the pending (region, year) keys; a pending unit's units below
-- that are not pending keep their figures, read from this table.
{%- set levels = ['commune', 'district', 'province', 'country'] %}
-- `own` is read once per level: inlined (`not materialized`) rather than held whole
with own as not materialized (
    select * from {{ ref('int_figures_own') }}
    where {{ is_pending_figure_key() }}
),

calendar as (
    select * from {{ ref('int_calendar') }}
),

regions as (
    select * from {{ ref('stg_reference__regions') }}
),

-- how many units directly below each unit existed in each period
children_expected as (
    {{ units_below_in_periods('children_expected') }}
),

{%- if is_incremental() %}

-- the figures of the units below a pending unit that are not rebuilt
unchanged_below as (
    {{ figures_kept_below() }}
),
{%- endif %}
{% for level in levels %}
{%- set below = levels[:loop.index0] %}

{%- if below %}
{%- set figures_below %}
    (
        {%- for lower in below %}
        select {{ figure_measure() }}, region_code, period, sector, a, b from figures_{{ lower }}
        {{- " union all" if not loop.last }}
        {%- endfor %}
        {%- if is_incremental() %}
        union all
        select * from unchanged_below
        {%- endif %}
    )
{%- endset %}

children_of_{{ level }} as (
    {{ sums_over_units_below(figures_below, level) }}
),
{%- endif %}

figures_{{ level }} as (
    select
        {{ figure_measure() }},
        region_code,
        period,
        sector,
        {%- if below %}
        case
            when own.derivation = 'reported' then 'own'
            when own.contributing = own.expected then 'own'
            when children.children_contributing = children_expected.children_expected
                then 'children'
            when own.derivation is not null then 'own'
            else 'children'
        end as source,
        case when source = 'own' then own.a else children.children_a end as a,
        case when source = 'own' then own.b else children.children_b end as b,
        case when source = 'own' then own.derivation else 'children_sum' end as derivation,
        case
            when source = 'own' then own.contributing else children.children_contributing
        end as contributing,
        case
            when source = 'own' then own.expected else children_expected.children_expected
        end as expected,
        children.children_a,
        children.children_b,
        children.children_contributing,
        case when children.children_a is not null then children_expected.children_expected end
            as children_expected
    from (select own.* from own inner join regions using (region_code)
          where regions.level = '{{ level }}') as own
    full outer join children_of_{{ level }} as children
        using (measure_type, measure, over_time, region_code, period, sector)
    left join children_expected using (region_code, period)
        {%- else %}
        'own' as source,
        a,
        b,
        derivation,
        contributing,
        expected,
        cast(null as bigint) as children_a,
        cast(null as bigint) as children_b,
        cast(null as bigint) as children_contributing,
        cast(null as bigint) as children_expected
    from own
    inner join regions using (region_code)
    where regions.level = '{{ level }}'
        {%- endif %}
){{ "," if not loop.last }}
{%- endfor %}

{% for level in levels %}
select * exclude (source) from figures_{{ level }}
{{ "union all by name" if not loop.last }}
{% endfor %}
