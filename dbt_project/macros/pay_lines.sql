{#-
    The pay-line contract (docs/architecture.md, "The pay-line contract"): every model of a
    kind of line (int_commission_lines, int_commission_caps, ...) selects these columns
    first, under these names, and its own evidence after them.
-#}
{% macro pay_line_contract() -%}
    {{ return([
        ('commission_line_id', 'text'),
        ('line_type', 'text'),
        ('employee_id', 'text'),
        ('plan_id', 'text'),
        ('plan_version_number', 'integer'),
        ('component_id', 'text'),
        ('pay_period', 'text'),
        ('period_start', 'date'),
        ('commission_amount', 'numeric'),
        ('pay_currency', 'text'),
        ('evidence_key', 'text'),
    ]) }}
{%- endmacro %}

{#- One kind's lines in the shape of the union: the contract columns, then the name of the
    kind's model (evidence_model, schema.table), where the line's row keeps its evidence
    under the same commission_line_id. `where` keeps the rows of the kind's model
    (`kind_row`) that are lines (MBO scores that pay). The union carries no copy of the
    evidence: at 300 reps x 24 months, building it as jsonb was 40 of the nightly build's
    seconds, for the handful of rows `commissions explain` reads back. -#}
{% macro pay_line(model, where=none) -%}
    {%- set relation = ref(model) %}
    select
        {%- for name, type in pay_line_contract() %}
        kind_row.{{ name }}::{{ type }} as {{ name }},
        {%- endfor %}
        '{{ relation.schema }}.{{ relation.identifier }}'::text as evidence_model
    from {{ relation }} as kind_row
    {%- if where is not none %}
    where {{ where }}
    {%- endif %}
{%- endmacro %}
