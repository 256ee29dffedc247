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
    `where` keeps the rows of the kind's model (`kind_row`) that are lines (MBO scores that pay).
    The evidence is to_jsonb of a row of the evidence columns alone, named from the built
    table: a fifth to a quarter cheaper than to_jsonb of the whole row less the contract's keys
    (measured at 200 reps x 24 months, where the jsonb is most of fct_commission_lines' time),
    and the same jsonb. Where the table's columns cannot be read (dbt parse, sqlfluff, a
    table not built yet) it is the whole row less the contract's keys. -#}
{% macro pay_line(model, where=none) -%}
    {%- set contract = [] -%}
    {%- for name, type in pay_line_contract() -%}{%- do contract.append(name) -%}{%- endfor -%}
    {%- set evidence = [] -%}
    {%- if execute -%}
        {%- for column in adapter.get_columns_in_relation(ref(model)) if column.name not in contract -%}
            {%- do evidence.append(adapter.quote(column.name)) -%}
        {%- endfor -%}
    {%- endif %}
    select
        {%- for name, type in pay_line_contract() %}
        kind_row.{{ name }}::{{ type }} as {{ name }},
        {%- endfor %}
        {%- if evidence %}
        to_jsonb(evidence_row) as evidence
        {%- else %}
        to_jsonb(kind_row) - array['{{ contract | join("', '") }}'] as evidence
        {%- endif %}
    from {{ ref(model) }} as kind_row
    {%- if evidence %}
    cross join lateral (select kind_row.{{ evidence | join(', kind_row.') }}) as evidence_row
    {%- endif %}
    {%- if where is not none %}
    where {{ where }}
    {%- endif %}
{%- endmacro %}
