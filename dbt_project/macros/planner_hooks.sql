{#-
    Hooks of the table models (dbt_project.yml).
    - work_mem: the money models sort and hash a few hundred thousand to a few million
      rows (credits stacked in order, windows evaluated at their months); with
      PostgreSQL's default 4 MB those sorts spill to disk and take most of a run. The
      var `model_work_mem` (default 256MB) sets it for the model's transaction only
      (SET LOCAL ends with it); lower it on a small shared server.
    - no nested loops: filters such as "the evaluation at its own month" or "credits of
      a plan with a clawback policy" estimate a few rows where there are hundreds of
      thousands, and on those estimates PostgreSQL nests loops: measured at 200 reps x 24
      months with staging as tables, int_commission_clawbacks ran for more than 13
      minutes instead of seconds. Hash and merge joins cost little at any size here.
    - analyze: a table is analysed once built, so the models after it plan from real
      statistics.
-#}
{% macro set_model_work_mem() -%}
    {%- if config.get('materialized') in ('table', 'incremental') -%}
        set local work_mem = '{{ var("model_work_mem", "256MB") }}'
    {%- endif -%}
{%- endmacro %}

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
