-- One row per credit a plan component measures: a deal credit (int_credits: who is
-- credited with which share of a Closed Won deal, under the plan and version in force on
-- the close date) times each (measure, payment trigger) that version's components use,
-- times the events of that trigger (int_credit_events). The deal is paid under the plan
-- version it was booked under; the trigger decides when its measure counts toward
-- attainment and pays: the event's date and month, FX at the event date, and the person
-- must be employed and on the plan that month.
--   bookings_tcv / _acv / _first_year, units   the deal's value (int_deal_measures) times
--                                             the event's deal_share;
--   invoiced_revenue                          the invoice total (trigger invoice: on the
--                                             invoice date; payment: when paid in full);
--   collected_cash                            the payment.
-- measure_amount is in measure_currency (the deal's or the billing document's); the
-- credit is measure_amount x split_share x fx_rate in the deal credit's credit_currency
-- (the pay currency, or the plan currency: int_credits), at the event date, and
-- payout_fx_rate converts what it earns to the pay currency at the event date or its
-- month's last day (the plan's fx_rate_date). Counts (units) have no currency. A commissionable
-- deal credit whose version measures no deal keeps one bookings_tcv / booking row here,
-- held as no_deal_component, so it is listed rather than lost; one on an invoice or
-- payment trigger has no row until its first invoice or payment arrives.
-- Activities (measure activities, int_activity_credits) are credits too: one unit per
-- completed activity of the component's type, to its owner, on the activity date
-- (credit_event 'activity', no deal).
-- A booking-trigger bookings_tcv credit keeps its deal credit's id. Credits that cannot
-- pay say why (non_commissionable_reason, listed in ops.ops_non_commissionable_credits).

{#- the columns of a measured credit, from a deal credit's events or a region booking's
    measured bookings (region_measure_columns come from int_region_measures) -#}
{%- set measured_columns = [
    'deal_credit_id', 'deal_close_date', 'opportunity_id', 'region_booking_id', 'split_id', 'credit_type',
    'rollup_from_employee_id', 'credited_user_id', 'employee_id', 'account_id', 'deal_amount', 'deal_currency',
    'split_percent', 'split_share', 'pay_currency', 'credit_currency', 'assignment_id', 'role', 'plan_id',
    'plan_version_number', 'plan_version', 'manager_employee_id', 'territory', 'opportunity_row_id', 'split_row_id',
    'source_batch_id', 'source_file', 'source_line', 'measure', 'payment_trigger', 'is_measured_by_plan',
    'credit_event', 'credit_event_id', 'event_date', 'event_currency', 'deal_share', 'event_row_id',
    'event_source_file', 'event_source_line', 'measure_amount', 'measure_currency', 'measure_problem'
] %}
{%- set held_deal_columns = [
    'account_id', 'deal_amount', 'opportunity_row_id', 'source_batch_id', 'source_file', 'source_line'
] %}
{%- set region_measure_columns = [
    'opportunity_id', 'credit_event', 'credit_event_id', 'event_date', 'event_currency', 'deal_share', 'event_row_id',
    'event_source_file', 'event_source_line', 'measure_amount', 'measure_currency', 'measure_problem'
] %}

with deal_credits as (
    select * from {{ ref('int_credits') }}
    where is_commissionable
),

components as materialized (
    select * from {{ ref('int_plan_components') }}
),

credit_events as (
    select * from {{ ref('int_credit_events') }}
),

deal_measures as (
    select * from {{ ref('int_deal_measures') }}
),

employees as materialized (
    select * from {{ ref('stg_hr__employees') }}
),

plan_quotas as materialized (
    select * from {{ ref('int_plan_quota_months') }}
    where measure = 'bookings'
),

quotas as materialized (
    select * from {{ ref('stg_hr__quotas') }}
    where measure = 'bookings'
),

fx_rates as materialized (
    select * from {{ ref('int_fx_rates') }}
),

plans as materialized (
    select * from {{ ref('stg_plans__plans') }}
),

activity_credits as (
    select * from {{ ref('int_activity_credits') }}
),

region_measures as (
    select * from {{ ref('int_region_measures') }}
),

region_deals as (
    select * from {{ ref('int_region_deals') }}
),

measured_by_version as (
    -- The (measure, trigger) pairs each plan version pays deals on, for the person
    -- credited (owner crediting), for the managers of the line (manager_rollup) or for
    -- the specialists credited on deals they do not own (overlays).
    select
        plan_id,
        version_number,
        measure,
        payment_trigger,
        bool_or({{ credit_counts_toward(
            "'owner'", 'credit_owner', 'credit_manager_rollup', 'has_credit_overlays', 'scope'
        ) }})
            as credits_owner,
        bool_or({{ credit_counts_toward(
            "'manager_rollup'", 'credit_owner', 'credit_manager_rollup', 'has_credit_overlays', 'scope'
        ) }})
            as credits_manager_rollup,
        bool_or({{ credit_counts_toward(
            "'overlay'", 'credit_owner', 'credit_manager_rollup', 'has_credit_overlays', 'scope'
        ) }})
            as credits_overlays,
        bool_or(scope = 'region') as credits_region
    from components
    where measure in {{ computed_deal_measures() }}
    group by 1, 2, 3, 4
),

credit_measures as (
    select
        deal_credits.credit_id as deal_credit_id,
        deal_credits.credit_date as deal_close_date,
        deal_credits.opportunity_id,
        deal_credits.region_booking_id,
        deal_credits.split_id,
        deal_credits.credit_type,
        deal_credits.rollup_from_employee_id,
        deal_credits.credited_user_id,
        deal_credits.employee_id,
        deal_credits.account_id,
        deal_credits.deal_amount,
        deal_credits.deal_currency,
        deal_credits.split_percent,
        deal_credits.split_share,
        deal_credits.pay_currency,
        deal_credits.credit_currency,
        deal_credits.assignment_id,
        deal_credits.role,
        deal_credits.plan_id,
        deal_credits.plan_version_number,
        deal_credits.plan_version,
        deal_credits.manager_employee_id,
        deal_credits.territory,
        deal_credits.opportunity_row_id,
        deal_credits.split_row_id,
        deal_credits.source_batch_id,
        deal_credits.source_file,
        deal_credits.source_line,
        coalesce(measured_by_version.measure, 'bookings_tcv') as measure,
        coalesce(measured_by_version.payment_trigger, 'booking') as payment_trigger,
        measured_by_version.measure is not null as is_measured_by_plan
    from deal_credits
    left join measured_by_version
        on measured_by_version.plan_id = deal_credits.plan_id
        and measured_by_version.version_number = deal_credits.plan_version_number
        -- the version measures this kind of credit on this measure and trigger
        and case deal_credits.credit_type
            when 'manager_rollup' then measured_by_version.credits_manager_rollup
            when 'overlay' then measured_by_version.credits_overlays
            when 'region' then measured_by_version.credits_region
            else measured_by_version.credits_owner
        end
),

deal_events as (
    -- a deal credit (a region one too, deal by deal) at the events of its trigger
    select
        credit_measures.*,
        credit_events.credit_event,
        credit_events.credit_event_id,
        credit_events.event_date,
        credit_events.event_amount,
        credit_events.event_currency,
        credit_events.deal_share,
        credit_events.event_row_id,
        credit_events.event_source_file,
        credit_events.event_source_line
    from credit_measures
    inner join credit_events
        on credit_events.opportunity_id = credit_measures.opportunity_id
        and credit_events.credit_event
        = {{ trigger_event('credit_measures.measure', 'credit_measures.payment_trigger') }}
),

deal_measured as (
    select
        deal_events.*,
        {{ event_measure_columns('deal_events.measure', 'deal_events', 'deal_measures', 'deal_events.deal_currency') }}
    from deal_events
    inner join deal_measures
        on deal_measures.opportunity_id = deal_events.opportunity_id
),

measured as (
    select
        {{ measured_columns | join(', ') }},
        null::text as region_measure_id,
        null::integer as region_run,
        null::bigint as region_deal_count,
        date_trunc('month', deal_measured.event_date)::date as event_period_start
    from deal_measured
    union all
    -- a region booking's credit at its measured bookings (int_region_measures: the sums of
    -- its deals at each event date, currency and run), computed once for everyone on the
    -- region; a held deal-event names its deal
    select
        {% for column in measured_columns -%}
        {%- if column in region_measure_columns -%}
        region_measures.{{ column }}
        {%- elif column in held_deal_columns -%}
        case when region_measures.opportunity_id is not null then region_deals.{{ column }} end
        {%- else -%}
        credit_measures.{{ column }}
        {%- endif -%}{{ ', ' if not loop.last }}
        {%- endfor %},
        region_measures.region_measure_id,
        region_measures.region_run,
        region_measures.deal_count as region_deal_count,
        date_trunc('month', region_measures.event_date)::date as event_period_start
    from credit_measures
    inner join region_measures
        on region_measures.region_booking_id = credit_measures.region_booking_id
        and region_measures.measure = credit_measures.measure
        and region_measures.payment_trigger = credit_measures.payment_trigger
    left join region_deals
        on region_deals.opportunity_id = region_measures.opportunity_id
    where credit_measures.opportunity_id is null
),

with_context as (
    -- At the event: employment, the plan's quota month, the bookings quota, the FX rates.
    select
        measured.*,
        employees.hire_date,
        employees.termination_date,
        plan_quotas.quota_row_id is not null as is_on_plan_in_month,
        quotas.quota_amount,
        quotas.quota_currency,
        quotas.quota_row_id,
        {{ plan_fx_date('plans.fx_rate_date', 'measured.event_date') }} as payout_fx_date,
        case
            -- a count converts nothing: a unit is a unit in every currency
            when measured.measure = 'units' then 1::numeric
            else {{ fx_rate_between('credit_fx', 'measured.measure_currency', 'measured.credit_currency') }}
        end as fx_rate,
        case
            when measured.measure <> 'units'
                then {{ fx_rate_between('payout_fx', 'measured.credit_currency', 'measured.pay_currency') }}
        end as payout_fx_rate
    from measured
    inner join plans
        on plans.plan_id = measured.plan_id
    left join employees
        on employees.employee_id = measured.employee_id
    left join plan_quotas
        on plan_quotas.employee_id = measured.employee_id
        and plan_quotas.plan_id = measured.plan_id
        and plan_quotas.period_start = measured.event_period_start
    left join quotas
        on quotas.employee_id = measured.employee_id
        and quotas.period_start = measured.event_period_start
    {{ fx_rate_joins('credit_fx', 'measured.measure_currency', 'measured.credit_currency', 'measured.event_date') }}
    {{ fx_rate_joins(
        'payout_fx', 'measured.credit_currency', 'measured.pay_currency',
        plan_fx_date('plans.fx_rate_date', 'measured.event_date')
    ) }}
),

assessed as (
    select
        with_context.*,
        case
            when not is_measured_by_plan then 'no_deal_component'
            when measure_problem is not null then measure_problem
            when not {{ employed_on('event_date') }} then 'not_employed'
            when not is_on_plan_in_month then 'no_quota_on_plan'
            when fx_rate is null or (measure <> 'units' and payout_fx_rate is null) then 'missing_fx_rate'
        end as non_commissionable_reason
    from with_context
),

deal_credit_rows as (
    select
        case
            -- a region booking's credit at one of its measured bookings
            when region_measure_id is not null
                then {{ dbt.hash("deal_credit_id || '|' || region_measure_id") }}
            when measure = 'bookings_tcv' and credit_event = 'booking' then deal_credit_id
            else {{ dbt.hash(
                "deal_credit_id || '|' || measure || '|' || credit_event || '|' || " ~
                "coalesce(credit_event_id, '')"
            ) }}
        end as credit_id,
        deal_credit_id,
        deal_close_date,
        opportunity_id,
        region_booking_id,
        region_measure_id,
        region_run,
        region_deal_count,
        split_id,
        credit_type,
        rollup_from_employee_id,
        account_id,
        credited_user_id,
        employee_id,
        measure,
        null::text as activity,
        payment_trigger,
        credit_event,
        credit_event_id,
        event_date as credit_date,
        event_period_start as period_start,
        to_char(event_period_start, 'YYYY-MM') as pay_period,
        deal_amount,
        deal_currency,
        trim_scale(deal_share) as deal_share,
        trim_scale(measure_amount) as measure_amount,
        measure_currency,
        split_percent,
        split_share,
        pay_currency,
        case when measure <> 'units' then credit_currency end as credit_currency,
        trim_scale(fx_rate) as fx_rate,
        trim_scale(measure_amount * split_share * fx_rate) as credit_amount,
        trim_scale(payout_fx_rate) as payout_fx_rate,
        case when measure <> 'units' then payout_fx_date end as payout_fx_date,
        assignment_id,
        role,
        plan_id,
        plan_version_number,
        plan_version,
        manager_employee_id,
        territory,
        quota_amount,
        quota_currency,
        non_commissionable_reason is null as is_commissionable,
        non_commissionable_reason,
        opportunity_row_id,
        split_row_id,
        quota_row_id,
        event_row_id,
        event_source_file,
        event_source_line,
        source_batch_id,
        source_file,
        source_line
    from assessed
),

activity_credit_rows as (
    -- an activity counted by a component of its owner's plan version: one unit, no deal
    select
        activity_credits.credit_id,
        null::text as deal_credit_id,
        null::date as deal_close_date,
        null::text as opportunity_id,
        null::text as region_booking_id,
        null::text as region_measure_id,
        null::integer as region_run,
        null::bigint as region_deal_count,
        null::text as split_id,
        'owner' as credit_type,
        null::text as rollup_from_employee_id,
        activity_credits.account_id,
        activity_credits.credited_user_id,
        activity_credits.employee_id,
        'activities' as measure,
        activity_credits.activity,
        null::text as payment_trigger,
        'activity' as credit_event,
        activity_credits.activity_id as credit_event_id,
        activity_credits.credit_date,
        activity_credits.period_start,
        activity_credits.pay_period,
        null::numeric as deal_amount,
        null::text as deal_currency,
        null::numeric as deal_share,
        1::numeric as measure_amount,
        null::text as measure_currency,
        100::numeric as split_percent,
        1::numeric as split_share,
        activity_credits.pay_currency,
        null::text as credit_currency,
        1::numeric as fx_rate,
        1::numeric as credit_amount,
        null::numeric as payout_fx_rate,
        null::date as payout_fx_date,
        activity_credits.assignment_id,
        activity_credits.role,
        activity_credits.plan_id,
        activity_credits.plan_version_number,
        activity_credits.plan_version,
        activity_credits.manager_employee_id,
        activity_credits.territory,
        activity_credits.quota_amount,
        activity_credits.quota_currency,
        activity_credits.is_commissionable,
        activity_credits.non_commissionable_reason,
        null::bigint as opportunity_row_id,
        null::bigint as split_row_id,
        activity_credits.quota_row_id,
        activity_credits.activity_row_id as event_row_id,
        activity_credits.source_file as event_source_file,
        activity_credits.source_line as event_source_line,
        activity_credits.source_batch_id,
        activity_credits.source_file,
        activity_credits.source_line
    from activity_credits
    where exists (
        select 1 from components
        where components.plan_id = activity_credits.plan_id
            and components.version_number = activity_credits.plan_version_number
            and components.measure = 'activities'
            and components.activity = activity_credits.activity
    )
),

final as (
    select * from deal_credit_rows
    union all
    select * from activity_credit_rows
)

select * from final
