-- The events that make a Closed Won deal count under each payment trigger, one row per
-- event (credit_event):
--   booking       the deal closing (trigger booking): the whole deal, on the close date;
--   invoice       each invoice of the deal that is not void (trigger invoice), on its date;
--   payment       each payment received on those invoices (trigger payment), on its date;
--   invoice_paid  an invoice paid in full (trigger payment for invoiced_revenue): on the
--                 date of the payment that completes it, for the invoice's total.
-- deal_share is the part of the deal an event stands for, what a bookings or units
-- measure counts at it: 1 at the booking; an invoice or payment amount over the deal
-- amount, taken in date order and never more than the whole deal over all its invoices
-- (or payments), so billing more than was booked does not credit more than was booked.
-- An invoice or payment in another currency than the deal's has no deal_share (null):
-- int_measure_credits holds its bookings credits with event_currency_mismatch.

{{ config(materialized='table') }}

with deals as (
    select * from {{ ref('stg_crm__opportunities') }}
    where is_closed_won
),

invoices as (
    select * from {{ ref('stg_billing__invoices') }}
    where status is distinct from 'void'
),

payments as (
    select * from {{ ref('stg_billing__payments') }}
),

bookings as (
    select
        opportunity_id,
        'booking' as credit_event,
        null::text as credit_event_id,
        close_date as event_date,
        amount as event_amount,
        currency as event_currency,
        opportunity_row_id as event_row_id,
        source_file as event_source_file,
        source_line as event_source_line
    from deals
),

invoiced as (
    select
        invoices.opportunity_id,
        'invoice' as credit_event,
        invoices.invoice_id as credit_event_id,
        invoices.invoice_date as event_date,
        invoices.total_amount as event_amount,
        invoices.currency as event_currency,
        invoices.invoice_row_id as event_row_id,
        invoices.source_file as event_source_file,
        invoices.source_line as event_source_line
    from invoices
    inner join deals
        on deals.opportunity_id = invoices.opportunity_id
),

deal_payments as (
    select
        invoices.opportunity_id,
        invoices.total_amount as invoice_amount,
        invoices.currency as invoice_currency,
        payments.*,
        sum(payments.amount) over (
            partition by payments.invoice_id
            order by payments.payment_date, payments.payment_id
            rows between unbounded preceding and current row
        ) as paid_on_invoice_after
    from payments
    inner join invoices
        on invoices.invoice_id = payments.invoice_id
    inner join deals
        on deals.opportunity_id = invoices.opportunity_id
),

paid as (
    select
        opportunity_id,
        'payment' as credit_event,
        payment_id as credit_event_id,
        payment_date as event_date,
        amount as event_amount,
        currency as event_currency,
        payment_row_id as event_row_id,
        source_file as event_source_file,
        source_line as event_source_line
    from deal_payments
),

paid_in_full as (
    -- The payment after which the invoice's payments reach its total.
    select
        opportunity_id,
        'invoice_paid' as credit_event,
        invoice_id as credit_event_id,
        payment_date as event_date,
        invoice_amount as event_amount,
        invoice_currency as event_currency,
        payment_row_id as event_row_id,
        source_file as event_source_file,
        source_line as event_source_line
    from deal_payments
    where currency = invoice_currency
        and paid_on_invoice_after >= invoice_amount
        and paid_on_invoice_after - amount < invoice_amount
),

events as (
    select * from bookings
    union all
    select * from invoiced
    union all
    select * from paid
    union all
    select * from paid_in_full
),

with_deal as (
    select
        events.*,
        deals.amount as deal_amount,
        deals.currency as deal_currency,
        sum(case when events.event_currency = deals.currency then events.event_amount end) over (
            partition by events.opportunity_id, events.credit_event
            order by events.event_date, events.credit_event_id
            rows between unbounded preceding and current row
        ) as deal_amount_after
    from events
    inner join deals
        on deals.opportunity_id = events.opportunity_id
),

final as (
    select
        opportunity_id,
        credit_event,
        credit_event_id,
        event_date,
        event_amount,
        event_currency,
        case
            when credit_event = 'booking' then 1::numeric
            when (event_currency is distinct from deal_currency) or deal_amount <= 0 then null
            else trim_scale(
                least(deal_amount_after / deal_amount, 1)
                - least((deal_amount_after - event_amount) / deal_amount, 1)
            )
        end as deal_share,
        event_row_id,
        event_source_file,
        event_source_line
    from with_deal
)

select * from final
