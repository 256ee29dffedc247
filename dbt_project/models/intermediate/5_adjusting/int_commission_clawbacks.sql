-- Clawbacks: commission taken back when the customer of a credited deal is refunded,
-- churns or does not pay, in the pay period it is discovered (recover_in:
-- period_discovered), for the events the plan version's clawback policy names:
--   refund, churn  a billing credit note with that reason on one of the deal's invoices,
--                  issued within window_days of the close date; discovered on its date,
--                  for its amount;
--   non_payment    an invoice of the deal (not void) still not paid window_days after its
--                  due date: discovered on due_date + window_days, for what is outstanding
--                  then (total - payments - credit notes up to that day), provided the
--                  billing export reaches that day (its latest invoice, payment or credit
--                  note date; before it, the invoice may still be paid). An invoice without
--                  a due date is never taken as unpaid;
--   late_payment   a payment on such an invoice after it was found unpaid gives back what
--                  the non-payment took for the part it pays (at most the amount that was
--                  outstanding), in the month it arrives: a negative share of the deal.
-- The clawback is the commission paid on the deal credit (its commission and per-deal
-- cap lines, every component, measure and payment event) times the share of the deal the
-- event takes back (its amount over the deal amount), never more than all of it over
-- several events (a late payment's negative share gives back only what that leaves
-- taken). An event in another currency than the deal's cannot be measured against it:
-- its line keeps a null amount and the not_null test on fct_commission_lines stops the run.

{{ config(materialized='table', schema='pay_lines') }}

with all_credit_notes as (
    select * from {{ ref('stg_billing__credit_notes') }}
),

credit_notes as (
    select * from all_credit_notes
    where credit_reason in ('refund', 'churn')
),

invoices as (
    select * from {{ ref('stg_billing__invoices') }}
),

payments as (
    select * from {{ ref('stg_billing__payments') }}
),

credits as (
    select * from {{ ref('int_credits') }}
    where is_commissionable
),

policies as (
    select * from {{ ref('stg_plans__clawback_policies') }}
),

earned as (
    -- the contract's columns it reads (not the evidence)
    select line_type, evidence_key, commission_amount from {{ ref('int_earned_lines') }}
),

caps as (
    select * from {{ ref('int_commission_caps') }}
),

measure_credits as (
    select credit_id, deal_credit_id from {{ ref('int_measure_credits') }}
),

paid_on_credit as (
    -- Everything the deal credit earned, over every measure and event it was credited at.
    select measure_credits.deal_credit_id as credit_id, sum(credit_lines.commission_amount) as commission_paid
    from (
        -- a commission or per-deal cap line's evidence is its measured credit
        select evidence_key as credit_id, commission_amount from earned
        where line_type = 'commission'
        union all
        select evidence_key, commission_amount from caps
        where line_type = 'per_deal_cap'
    ) as credit_lines
    inner join measure_credits
        on measure_credits.credit_id = credit_lines.credit_id
    group by measure_credits.deal_credit_id
),

billing_as_of as (
    -- The last day the billing export covers.
    select greatest(
        (select max(invoice_date) from invoices),
        (select max(payment_date) from payments),
        (select max(issue_date) from all_credit_notes)
    ) as as_of_date
),

note_events as (
    select
        credit_notes.credit_reason as clawback_event,
        credit_notes.credit_note_id as clawback_event_id,
        credit_notes.credit_note_id,
        null::text as invoice_id,
        invoices.opportunity_id,
        credit_notes.issue_date,
        credit_notes.amount,
        credit_notes.currency,
        null::integer as discovery_window_days,
        credit_notes.credit_note_row_id as event_row_id,
        credit_notes.source_batch_id,
        credit_notes.source_file,
        credit_notes.source_line
    from credit_notes
    inner join invoices
        on invoices.invoice_id = credit_notes.invoice_id
),

non_payment_checks as (
    -- Each invoice of a deal credited under a non_payment policy, at the end of its window.
    select distinct
        invoices.invoice_id,
        invoices.opportunity_id,
        invoices.total_amount,
        invoices.currency,
        policies.window_days,
        invoices.due_date + policies.window_days as discovered_on,
        invoices.invoice_row_id,
        invoices.source_batch_id,
        invoices.source_file,
        invoices.source_line
    from credits
    inner join policies
        on policies.plan_id = credits.plan_id
        and policies.version_number = credits.plan_version_number
        and policies.clawback_event = 'non_payment'
    inner join invoices
        on invoices.opportunity_id = credits.opportunity_id
    where invoices.status is distinct from 'void'
        and invoices.due_date is not null
),

settled_by_then as (
    -- What was paid or credited on the invoice up to the day it is checked.
    select
        non_payment_checks.invoice_id,
        non_payment_checks.window_days,
        sum(settlements.amount) as settled_amount
    from non_payment_checks
    inner join (
        select invoice_id, payment_date as settled_on, amount, currency from payments
        union all
        select invoice_id, issue_date, amount, currency from all_credit_notes
    ) as settlements
        on settlements.invoice_id = non_payment_checks.invoice_id
        and settlements.currency = non_payment_checks.currency
        and settlements.settled_on <= non_payment_checks.discovered_on
    group by 1, 2
),

non_payment_events as (
    select
        'non_payment' as clawback_event,
        non_payment_checks.invoice_id as clawback_event_id,
        null::text as credit_note_id,
        non_payment_checks.invoice_id,
        non_payment_checks.opportunity_id,
        non_payment_checks.discovered_on as issue_date,
        non_payment_checks.total_amount - coalesce(settled_by_then.settled_amount, 0) as amount,
        non_payment_checks.currency,
        non_payment_checks.window_days as discovery_window_days,
        non_payment_checks.invoice_row_id as event_row_id,
        non_payment_checks.source_batch_id,
        non_payment_checks.source_file,
        non_payment_checks.source_line
    from non_payment_checks
    cross join billing_as_of
    left join settled_by_then
        on settled_by_then.invoice_id = non_payment_checks.invoice_id
        and settled_by_then.window_days = non_payment_checks.window_days
    where non_payment_checks.discovered_on <= billing_as_of.as_of_date
        and non_payment_checks.total_amount - coalesce(settled_by_then.settled_amount, 0) > 0
),

late_payments as (
    -- Payments on an invoice found unpaid, after the day it was found, in date order: the
    -- part of the outstanding amount each one settles.
    select
        non_payment_events.invoice_id,
        non_payment_events.opportunity_id,
        non_payment_events.discovery_window_days,
        non_payment_events.amount as outstanding,
        payments.payment_id,
        payments.payment_date,
        payments.currency,
        payments.payment_row_id,
        payments.source_batch_id,
        payments.source_file,
        payments.source_line,
        sum(payments.amount) over (
            partition by non_payment_events.invoice_id, non_payment_events.discovery_window_days
            order by payments.payment_date, payments.payment_id
            rows between unbounded preceding and current row
        ) as paid_after,
        payments.amount
    from non_payment_events
    inner join payments
        on payments.invoice_id = non_payment_events.invoice_id
        and payments.currency = non_payment_events.currency
        and payments.payment_date > non_payment_events.issue_date
),

late_payment_events as (
    select
        'late_payment' as clawback_event,
        payment_id as clawback_event_id,
        null::text as credit_note_id,
        invoice_id,
        opportunity_id,
        payment_date as issue_date,
        -- negative: the share of the deal the payment gives back
        -(least(paid_after, outstanding) - least(paid_after - amount, outstanding)) as amount,
        currency,
        discovery_window_days,
        payment_row_id as event_row_id,
        source_batch_id,
        source_file,
        source_line
    from late_payments
    where paid_after - amount < outstanding
),

events as (
    select * from note_events
    union all
    select * from non_payment_events
    union all
    select * from late_payment_events
),

in_window as (
    select
        events.clawback_event_id,
        events.credit_note_id,
        events.invoice_id,
        events.clawback_event,
        events.issue_date,
        events.amount as credit_note_amount,
        events.currency as credit_note_currency,
        events.event_row_id,
        events.source_batch_id,
        events.source_file,
        events.source_line,
        credits.credit_id,
        credits.opportunity_id,
        credits.split_id,
        credits.credit_type,
        credits.rollup_from_employee_id,
        credits.split_share,
        credits.employee_id,
        credits.plan_id,
        credits.plan_version_number,
        credits.pay_currency,
        credits.deal_amount,
        credits.deal_currency,
        credits.credit_date,
        policies.window_days,
        paid_on_credit.commission_paid,
        case
            when events.currency = credits.deal_currency then events.amount / nullif(credits.deal_amount, 0)
        end as share_credited_back
    from events
    inner join credits
        on credits.opportunity_id = events.opportunity_id
    inner join policies
        on policies.plan_id = credits.plan_id
        and policies.version_number = credits.plan_version_number
        -- a late payment answers the non-payment policy that took the commission back
        and policies.clawback_event = case
            when events.clawback_event = 'late_payment' then 'non_payment'
            else events.clawback_event
        end
    inner join paid_on_credit
        on paid_on_credit.credit_id = credits.credit_id
    where events.issue_date >= credits.credit_date
        and (
            -- a non-payment's window runs from the due date (it is when it was discovered)
            events.discovery_window_days = policies.window_days
            or (
                events.discovery_window_days is null
                and events.issue_date - credits.credit_date <= policies.window_days
            )
        )
),

cumulative as (
    -- Several credit notes never claw back more than the whole deal.
    select
        in_window.*,
        sum(share_credited_back) over (
            partition by credit_id
            order by issue_date, clawback_event_id
            rows between unbounded preceding and current row
        ) as share_to_date
    from in_window
),

clawed as (
    select
        cumulative.*,
        least(share_to_date, 1) - least(share_to_date - share_credited_back, 1) as clawback_share
    from cumulative
),

final as (
    select
        {{ dbt.hash(
            "'clawback|' || credit_id || '|' || coalesce(credit_note_id, case when clawback_event = 'late_payment'"
            ~ " then 'late_payment|' || clawback_event_id else 'non_payment|' || invoice_id end)"
        ) }} as commission_line_id,
        'clawback' as line_type,
        employee_id,
        plan_id,
        plan_version_number,
        null::text as component_id,
        to_char(issue_date, 'YYYY-MM') as pay_period,
        date_trunc('month', issue_date)::date as period_start,
        trim_scale(-commission_paid * clawback_share) as commission_amount,
        pay_currency,
        -- the credit note, the unpaid invoice or the late payment
        clawback_event_id as evidence_key,
        credit_id,
        clawback_event,
        clawback_event_id,
        credit_note_id,
        invoice_id,
        issue_date,
        credit_note_amount,
        credit_note_currency,
        window_days,
        trim_scale(commission_paid) as commission_paid,
        trim_scale(clawback_share) as clawback_share,
        opportunity_id,
        split_id,
        credit_type,
        rollup_from_employee_id,
        split_share,
        credit_date,
        deal_amount,
        deal_currency,
        event_row_id,
        source_batch_id,
        source_file,
        source_line
    from clawed
    where clawback_share is null or clawback_share <> 0
)

select * from final
