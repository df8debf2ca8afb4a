{#- On-run-end hook: how many rows each test that ran read, into the table `tested_rows` of
    the tests' own schema (where their stored failures are), so that a check over no rows
    (a build by key with no pending key for its model) says so instead of claiming a pass
    (orchestration/defs/warehouse/check_results.py reads it). One count per model and
    `where` config, all in one statement. -#}
{% macro record_tested_rows(results) -%}
    {%- if not execute -%}
        {%- do return('') -%}
    {%- endif -%}
    {%- set relations = {} -%}  {#- model and where -> its index among the counts -#}
    {%- set counted = [] -%}  {#- (model relation, where) per index -#}
    {%- set tests = [] -%}  {#- (test unique_id, index) -#}
    {%- set schema = [] -%}
    {%- for result in results
            if result.node.resource_type == 'test'
            and result.status in ('pass', 'fail', 'warn')
            and result.node.attached_node in graph.nodes -%}
        {%- set model = graph.nodes[result.node.attached_node] -%}
        {%- set where = result.node.config.where -%}
        {%- set key = model.unique_id ~ '|' ~ (where or '') -%}
        {%- if key not in relations -%}
            {%- do relations.update({key: counted | length}) -%}
            {%- do counted.append((api.Relation.create(
                database=model.database, schema=model.schema,
                identifier=model.alias or model.name), where)) -%}
        {%- endif -%}
        {%- do tests.append((result.node.unique_id, relations[key])) -%}
        {%- do schema.append(result.node.schema) -%}
    {%- endfor -%}
    {%- if not tests -%}
        {%- do return('') -%}
    {%- endif %}
create schema if not exists {{ schema[0] }};
create or replace table {{ schema[0] }}.tested_rows as
with counts as (
    {%- for relation, where in counted %}
    select {{ loop.index0 }} as relation_index, count(*) as rows_tested
    from {{ tested_relation(relation, where) }}
    {%- if not loop.last %} union all{% endif %}
    {%- endfor %}
)
select '{{ invocation_id }}' as invocation_id, test.unique_id, counts.rows_tested
from (values
    {%- for unique_id, index in tests %}
    ('{{ unique_id }}', {{ index }}){{ ',' if not loop.last }}
    {%- endfor %}
) as test(unique_id, relation_index)
inner join counts using (relation_index)
{%- endmacro %}
