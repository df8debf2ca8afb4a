{#- Fails for every row where any of `columns` is null. One test per model rather than one
    per column: each dbt test is a node, and a node's fixed cost, not its query, is what
    a refresh by key spends most on. -#}
{% test not_null_columns(model, columns) %}
select * from {{ model }}
where {% for column in columns %}{{ column }} is null{{ ' or ' if not loop.last }}{% endfor %}
{% endtest %}
