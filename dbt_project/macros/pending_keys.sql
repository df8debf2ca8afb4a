{#- The incremental models rebuild by (region, period): every fact of a key depends only on
    the observations of that key. See orchestration/lib/model_refresh.py for when a refresh
    rebuilds by key and when from scratch. -#}

{#- A filter on region_code and period: in a build by key, the keys whose observations
    changed since the last build; in a full build, every key. -#}
{% macro is_pending_key() %}
    {%- set pending_keys = ref('stg_landing__pending_model_keys') -%}
    {%- if is_incremental() -%}
        (region_code, period) in (select region_code, period from {{ pending_keys }})
    {%- else -%}
        true
    {%- endif -%}
{% endmacro %}

{#- Pre-hook of the incremental models: drop the rows of the keys about to be rebuilt. -#}
{% macro delete_pending_keys() %}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ is_pending_key() }}
    {%- endif -%}
{% endmacro %}

{#- dbt's tests read the model they test through this macro (dbt's own version applies a
    test's `where` config). The tests of the models tagged tested_by_key (those rebuilt
    by key, and the observations they are built from) read only the pending keys: every
    other key's rows passed the same tests when they were built and have not changed since. A full rebuild makes every key
    pending (orchestration/lib/model_refresh.py), so its tests read every row. -#}
{% macro get_where_subquery(relation) -%}
    {%- set tested_by_key = [] -%}
    {#- the graph is empty while dbt parses; tests only run once it is whole -#}
    {%- for node in graph.get('nodes', {}).values()
            if node.resource_type == 'model' and 'tested_by_key' in node.config.tags -%}
        {%- do tested_by_key.append(node.alias or node.name) -%}
    {%- endfor -%}
    {%- set conditions = [] -%}
    {%- if config.get('where') -%}
        {%- do conditions.append('(' ~ config.get('where') ~ ')') -%}
    {%- endif -%}
    {%- if relation.identifier in tested_by_key -%}
        {#- raw is the schema of source landing.pending_model_keys (a test cannot ref it);
            a row without a key has none to be pending by, and is always tested -#}
        {%- do conditions.append(
            '(region_code is null or period is null or (region_code, period) in '
            ~ '(select region_code, period from raw.pending_model_keys))'
        ) -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ conditions | join(' and ')
            ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
