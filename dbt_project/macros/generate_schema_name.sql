{#- Models land in the schema their folder names (staging, intermediate, marts), not
    <target>_<folder>: BI tools rely on the exact name `marts`. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name if custom_schema_name is not none else target.schema }}
{%- endmacro %}
