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
