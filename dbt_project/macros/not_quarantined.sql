{#-
    Leave out the raw rows the latest quality-gate run holds in quarantine.
    `table_name` is the gate's name for the table, e.g. 'crm.opportunities'; the raw
    row key is _row_id. Used by every staging model.
-#}
{% macro not_quarantined(table_name, row_id_column='_row_id') -%}
    {{ row_id_column }} not in (
        select row_id
        from {{ source('dq', 'quarantine_current') }}
        where table_name = '{{ table_name }}'
    )
{%- endmacro %}
