{#- Post-hook of every model: log, as one JSON message, what the Dagster UI shows of it
    once it is built: its columns with their types (dagster-dbt reads `columns` from such a
    message into the materialization's column schema), its rows (tables only: a view's
    would cost a scan), and the rows its tests will read, per `where` config of its tests
    (tested_relation), so that a check over no rows says so. It runs in the model's own
    thread, beside the other models, and reads the catalog and one count statement:
    never a dbt invocation of its own (orchestration/defs/warehouse/check_results.py). -#}
{% macro log_table_facts() -%}
    {%- if not execute -%}
        {%- do return('') -%}
    {%- endif -%}
    {%- set wheres = [] -%}
    {%- for node in graph.nodes.values()
            if node.resource_type == 'test' and node.attached_node == model.unique_id -%}
        {%- if (node.config.where or '') not in wheres -%}
            {%- do wheres.append(node.config.where or '') -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set counts = [] -%}
    {%- if model.config.materialized in ('table', 'incremental') -%}
        {%- do counts.append("select 'rows' as fact, count(*) as n from " ~ this) -%}
    {%- endif -%}
    {%- for where in wheres -%}
        {%- do counts.append("select '" ~ loop.index0 ~ "' as fact, count(*) as n from "
            ~ tested_relation(this, where or none)) -%}
    {%- endfor -%}
    {%- set facts = {'columns': {}, 'tested_rows': {}} -%}
    {%- for column in adapter.get_columns_in_relation(this) -%}
        {%- do facts['columns'].update({column.name: {'data_type': column.dtype}}) -%}
    {%- endfor -%}
    {%- if counts -%}
        {%- for fact, n in run_query(counts | join(' union all ')).rows -%}
            {%- if fact == 'rows' -%}
                {%- do facts.update({'rows': n | int}) -%}
            {%- else -%}
                {%- do facts['tested_rows'].update({wheres[fact | int]: n | int}) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- do log(tojson(facts), info=true) -%}
    {%- do return('') -%}
{%- endmacro %}
