{#- Fails for every combination of `columns` that occurs more than once. Rows are first
    grouped by one hash of the columns, a narrow key that groups several times faster than
    the columns themselves; only rows whose hash repeats are then grouped by the columns,
    so a collision of two different combinations never fails the test. -#}
{% test unique_combination(model, columns) %}
{%- set key = columns | join(', ') %}
with repeated_hashes as (
    select hash({{ key }}) as combination_hash
    from {{ model }}
    group by combination_hash
    having count(*) > 1
)

select {{ key }}, count(*) as occurrences
from {{ model }}
where hash({{ key }}) in (select combination_hash from repeated_hashes)
group by {{ key }}
having count(*) > 1
{% endtest %}
