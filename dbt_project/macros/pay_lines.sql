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

{#- One kind's lines in the shape of the union: the contract columns, then the rest of the
    kind's row as one jsonb object (its evidence, under the kind's own column names).
    `where` keeps the rows of the kind's model that are lines (MBO scores that pay). -#}
{% macro pay_line(model, where=none) -%}
    {%- set names = [] -%}
    {%- for name, type in pay_line_contract() -%}{%- do names.append(name) -%}{%- endfor -%}
    select
        {%- for name, type in pay_line_contract() %}
        kind_row.{{ name }}::{{ type }} as {{ name }},
        {%- endfor %}
        to_jsonb(kind_row) - array['{{ names | join("', '") }}'] as evidence
    from {{ ref(model) }} as kind_row
    {%- if where is not none %}
    where {{ where }}
    {%- endif %}
{%- endmacro %}
