{#- The incremental models rebuild by key. The observation models and the section 6 facts
    by (region, period): every row of a key depends only on the observations of that key.
    The figure models (contract section 8) by (region, year): a unit's figure for a period
    depends on its own periods of that year, the units below it and its predecessors, so
    the keys of a changed observation are its unit, the units above it and the units that
    hold their territory today (int_pending_figure_keys), each for the whole year. See
    orchestration/lib/model_refresh.py for when a refresh rebuilds by key and when from
    scratch. -#}

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

{#- The same for the figure models: the (region, year) keys whose figures may have changed,
    by the columns that hold the region and the period. keys='ranks' widens them to every
    unit that shares a parent with one (int_pending_rank_keys), for the model that ranks
    the units within their parent (fct_indicators); keys='series' to every year of each unit
    whose observations changed (int_pending_series_keys), for the model that judges a unit's
    whole series (int_outlier_values). -#}
{% macro is_pending_figure_key(region='region_code', period='period', keys='figures') %}
    {%- set pending_keys = ref(figure_keys_model(keys)) -%}
    {%- if is_incremental() -%}
        ({{ region }}, left({{ period }}, 4)) in (select region_code, year from {{ pending_keys }})
    {%- else -%}
        true
    {%- endif -%}
{% endmacro %}

{#- The model holding the (region, year) keys of a kind of figure key. -#}
{% macro figure_keys_model(keys) %}
    {%- do return({'figures': 'int_pending_figure_keys', 'ranks': 'int_pending_rank_keys',
                   'series': 'int_pending_series_keys'}[keys]) -%}
{% endmacro %}

{#- Pre-hook of the incremental models: drop the rows of the keys about to be rebuilt
    (`keys`: 'observations', 'figures', 'ranks' or 'series'). -#}
{% macro delete_pending_keys(keys='observations') %}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where {{ is_pending_key() if keys == 'observations' else is_pending_figure_key(keys=keys) }}
    {%- endif -%}
{% endmacro %}

{#- dbt's tests read the model they test through this macro (dbt's own version applies a
    test's `where` config). The tests of the models tagged tested_by_key (those rebuilt
    by key, and the observations they are built from) read only the pending keys: every
    other key's rows passed the same tests when they were built and have not changed since.
    A full rebuild (--full-refresh) makes every key pending (orchestration/lib/model_refresh.py):
    its tests read every row directly, without matching each one against every key. -#}
{% macro get_where_subquery(relation) -%}
    {%- do return(tested_relation(relation, config.get('where'))) -%}
{%- endmacro %}

{#- The rows of `relation` a test reads, given the test's `where` config: also what
    log_table_facts counts. -#}
{% macro tested_relation(relation, where) -%}
    {%- set tested_by_key = [] -%}
    {#- per kind of figure key: its tag, the models tested by it, the relation of its keys -#}
    {%- set figure_kinds = {'figures': ('tested_by_figure_key', [], []),
                            'ranks': ('tested_by_rank_key', [], []),
                            'series': ('tested_by_series_key', [], [])} -%}
    {#- the graph is empty while dbt parses; tests only run once it is whole -#}
    {%- for node in graph.get('nodes', {}).values() if node.resource_type == 'model' -%}
        {%- if 'tested_by_key' in node.config.tags -%}
            {%- do tested_by_key.append(node.alias or node.name) -%}
        {%- endif -%}
        {%- for keys, (tag, tested, relation) in figure_kinds.items() -%}
            {%- if tag in node.config.tags -%}
                {%- do tested.append(node.alias or node.name) -%}
            {%- endif -%}
            {%- if node.name == figure_keys_model(keys) -%}
                {%- do relation.append(node.schema ~ '.' ~ (node.alias or node.name)) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set conditions = [] -%}
    {%- if where -%}
        {%- do conditions.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {%- set by_key = not flags.FULL_REFRESH -%}
    {%- if by_key and relation.identifier in tested_by_key -%}
        {#- raw is the schema of source landing.pending_model_keys (a test cannot ref it);
            a row without a key has none to be pending by, and is always tested -#}
        {%- do conditions.append(
            '(region_code is null or period is null or (region_code, period) in '
            ~ '(select region_code, period from raw.pending_model_keys))'
        ) -%}
    {%- endif -%}
    {%- for keys, (tag, tested, keys_relation) in figure_kinds.items() -%}
        {%- if by_key and relation.identifier in tested and keys_relation -%}
            {%- do conditions.append(
                '(region_code, left(period, 4)) in (select region_code, year from '
                ~ keys_relation[0] ~ ')'
            ) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if conditions -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ conditions | join(' and ')
            ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
