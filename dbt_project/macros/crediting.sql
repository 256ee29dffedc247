{#- Whether a credit counts toward a component, by how the component credits: the person's
    own credits (owner, revenue_split) where it credits owners (the default), roll-up
    credits where it credits managers with their reporting line, overlay credits where it
    credits overlays (a specialist's deals by product or territory), and region credits
    (every deal of the person's region) toward a component of scope region alone. -#}
{% macro credit_counts_toward(credit_type, credit_owner, credit_manager_rollup, credit_overlays='false', scope="'individual'") -%}
    case
        when {{ scope }} = 'region' then {{ credit_type }} = 'region'
        when {{ credit_type }} = 'region' then false
        when {{ credit_type }} = 'manager_rollup' then coalesce({{ credit_manager_rollup }}, false)
        when {{ credit_type }} = 'overlay' then coalesce({{ credit_overlays }}, false)
        else coalesce({{ credit_owner }}, true)
    end
{%- endmacro %}

{#- The columns a credit takes from its Closed Won deal (`deals`: stg_crm__opportunities
    rows): the account, amount and currency, the close date as the credit date and its
    month, and the deal's source row. -#}
{% macro credit_deal_columns(deals) -%}
    {{ deals }}.account_id,
        {{ deals }}.amount as deal_amount,
        {{ deals }}.currency as deal_currency,
        {{ deals }}.close_date as credit_date,
        date_trunc('month', {{ deals }}.close_date)::date as period_start,
        {{ deals }}.opportunity_row_id,
        {{ deals }}.source_batch_id,
        {{ deals }}.source_file,
        {{ deals }}.source_line
{%- endmacro %}
