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

{#- Whether a component (`components`: int_plan_components rows) rates a measured credit
    (`credits`: int_measure_credits rows): the same plan version, measure, payment trigger
    (an activity has none; it counts toward the components of its type) and activity, and
    a credit type the component counts (credit_counts_toward). The stacked and the
    per-transaction ratings both pick their credits by it. -#}
{% macro component_rates_credit(credits, components) -%}
    {{ components }}.plan_id = {{ credits }}.plan_id
        and {{ components }}.version_number = {{ credits }}.plan_version_number
        and {{ components }}.measure = {{ credits }}.measure
        and {{ components }}.payment_trigger is not distinct from {{ credits }}.payment_trigger
        and {{ components }}.activity is not distinct from {{ credits }}.activity
        and {{ credit_counts_toward(
            credits ~ '.credit_type', components ~ '.credit_owner', components ~ '.credit_manager_rollup',
            components ~ '.has_credit_overlays', components ~ '.scope'
        ) }}
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

{#- Each assignment (`assignments`: int_employee_assignments) on a published plan version
    (`plan_versions`: stg_plans__plan_versions), from the first to the last day both hold:
    who covers which territory under which plan version, for the jobs that credit people
    by what they cover (overlays, regions). -#}
{% macro plan_stints(assignments, plan_versions) -%}
    select
        {{ assignments }}.employee_id,
        {{ assignments }}.territory as covered_territory,
        {{ plan_versions }}.plan_id,
        {{ plan_versions }}.version_number,
        greatest({{ assignments }}.valid_from, {{ plan_versions }}.effective_from) as covered_from,
        case
            when {{ assignments }}.valid_to is null then {{ plan_versions }}.effective_to
            when {{ plan_versions }}.effective_to is null then {{ assignments }}.valid_to
            else least({{ assignments }}.valid_to, {{ plan_versions }}.effective_to)
        end as covered_to
    from {{ assignments }}
    inner join {{ plan_versions }}
        on {{ plan_versions }}.plan_id = {{ assignments }}.plan_id
        and ({{ assignments }}.valid_to is null or {{ plan_versions }}.effective_from <= {{ assignments }}.valid_to)
        and ({{ plan_versions }}.effective_to is null or {{ plan_versions }}.effective_to >= {{ assignments }}.valid_from)
{%- endmacro %}

{#- The key of a region booking: the Closed Won deals of one region closed on one day in one
    currency (int_region_bookings), from the deal's region, close date and currency. -#}
{% macro region_booking_key(region, close_date, currency) -%}
    {{ dbt.hash(region ~ " || '|' || " ~ close_date ~ "::text || '|' || " ~ currency) }}
{%- endmacro %}
