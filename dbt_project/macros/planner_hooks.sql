{#-
    Hooks of the table models (dbt_project.yml). The staging views estimate one row each
    (rank() = 1 and not quarantined), and on those estimates PostgreSQL nests loops that
    re-run whole views and CTEs once per row: a money model took minutes instead of a
    second. A table model is therefore planned without nested loops (hash and merge joins,
    which cost little at any size here), and analysed once built so the models after it
    plan from real statistics. SET LOCAL ends with the model's transaction.
-#}
{% macro plan_without_nested_loops() -%}
    {%- if config.get('materialized') in ('table', 'incremental') -%}
        set local enable_nestloop = off
    {%- endif -%}
{%- endmacro %}

{% macro analyze_built_table() -%}
    {%- if config.get('materialized') in ('table', 'incremental') -%}
        analyze {{ this }}
    {%- endif -%}
{%- endmacro %}
