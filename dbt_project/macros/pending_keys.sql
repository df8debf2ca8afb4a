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
