{#-
    A custom schema is used as written (staging, intermediate, finance, bi, ops,
    reference), not prefixed with the target schema: other code reads
    finance.fct_payouts by that name. Models without one land in the target schema.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
