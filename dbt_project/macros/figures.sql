{#- Helpers of the figure models (contract section 8). -#}

{#- A region (its valid_from, valid_to) exists on some day of a period. -#}
{% macro valid_in(region, period) -%}
    (({{ region }}.valid_from is null or {{ region }}.valid_from <= {{ period }}.period_end)
     and ({{ region }}.valid_to is null or {{ region }}.valid_to >= {{ period }}.period_start))
{%- endmacro %}

{#- A region exists on every day of a period. -#}
{% macro valid_throughout(region, period) -%}
    (({{ region }}.valid_from is null or {{ region }}.valid_from <= {{ period }}.period_start)
     and ({{ region }}.valid_to is null or {{ region }}.valid_to >= {{ period }}.period_end))
{%- endmacro %}

{#- A figure's side (a or b) over the periods directly inside a longer one: flows add up,
    stocks take the latest part that has one. -#}
{% macro over_time(side) -%}
    case when over_time = 'last' then arg_max({{ side }}, period_start) else sum({{ side }}) end
{%- endmacro %}

{#- The key of a figure, without its region and period. -#}
{% macro figure_measure() -%}
    measure_type, measure, over_time
{%- endmacro %}

{#- In a build by key, the figures this model keeps (not rebuilt) of the units directly
    below a unit it rebuilds: with the rebuilt ones, what that unit's sums are over. -#}
{% macro figures_kept_below() -%}
    select {{ figure_measure() }}, kept.region_code, kept.period, kept.sector, kept.a, kept.b
    from {{ this }} as kept
    inner join {{ ref('stg_reference__regions') }} as kept_regions using (region_code)
    where {{ is_pending_figure_key('kept_regions.parent_code', 'kept.period') }}
{%- endmacro %}

{#- How many units directly below each unit existed in each period of the calendar (the
    CTEs `regions` and `calendar` of the calling model), as column `column`. -#}
{% macro units_below_in_periods(column) -%}
    select children.parent_code as region_code, calendar.period, count(*) as {{ column }}
    from regions as children
    inner join calendar on {{ valid_in('children', 'calendar') }}
    where children.parent_code is not null
    group by all
{%- endmacro %}

{#- The sums of `figures` (a relation or a subquery with the columns of figure_measure,
    region_code, period, sector, a and b) over the units directly below each unit, for the
    units of `parent_level` (every level when none). -#}
{% macro sums_over_units_below(figures, parent_level=none) -%}
    select
        {{ figure_measure() }},
        children.parent_code as region_code,
        below.period,
        below.sector,
        sum(below.a) as children_a,
        sum(below.b) as children_b,
        count(*) as children_contributing
    from {{ figures }} as below
    inner join {{ ref('stg_reference__regions') }} as children using (region_code)
    {%- if parent_level %}
    inner join {{ ref('stg_reference__regions') }} as parents
        on parents.region_code = children.parent_code
    where parents.level = '{{ parent_level }}'
    {%- else %}
    where children.parent_code is not null
    {%- endif %}
    group by all
{%- endmacro %}

{#- The figures of one measure type ('metric' or 'indicator') in both geographies, each
    row labelled with its geography, for the pending keys (of kind `keys`). -#}
{% macro figures_in_both_geographies(measure_type, keys='figures') -%}
    {%- for geography, model in [('as_reported', 'int_figures_as_reported'),
                                 ('current', 'int_figures_current')] %}
    select '{{ geography }}' as geography, * from {{ ref(model) }}
    where measure_type = '{{ measure_type }}' and {{ is_pending_figure_key(keys=keys) }}
    {{- "\n    union all by name" if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- A number as a clerk reads it: one decimal at most, none when it is whole. -#}
{% macro short_number(expression) -%}
    regexp_replace(cast(round({{ expression }}, 1) as varchar), '\.0$', '')
{%- endmacro %}

{#- How a section 9 warning names the value it is about: `VN-37 total_dossiers 2024-05`,
    with the sector in brackets unless it is `all`. -#}
{% macro observation_label(alias) -%}
    {{ alias }}.region_code || ' ' || {{ alias }}.metric_code || ' ' || {{ alias }}.period
    || case when {{ alias }}.sector <> 'all' then ' (' || {{ alias }}.sector || ')' else '' end
{%- endmacro %}
