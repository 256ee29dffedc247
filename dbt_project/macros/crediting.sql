{#- Whether a credit counts toward a component, by how the component credits: the person's
    own credits (owner, revenue_split) where it credits owners (the default), roll-up
    credits where it credits managers with their reporting line. -#}
{% macro credit_counts_toward(credit_type, credit_owner, credit_manager_rollup) -%}
    case
        when {{ credit_type }} = 'manager_rollup' then coalesce({{ credit_manager_rollup }}, false)
        else coalesce({{ credit_owner }}, true)
    end
{%- endmacro %}
