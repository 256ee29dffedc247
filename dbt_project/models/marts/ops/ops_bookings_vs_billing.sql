-- CRM against billing, per account, month and currency: what was booked (Closed Won
-- deals' amounts, by close month) beside what was invoiced (invoices not void, by
-- invoice month). They are not meant to be equal month by month (a subscription is
-- invoiced over its term); ops reads the gaps that should not be there: an account with
-- bookings and never an invoice, invoices for an account with no won deal, a currency
-- billed that was never booked. Nothing here changes what is paid.

with won_deals as (
    select * from {{ ref('stg_crm__opportunities') }}
    where is_closed_won
),

invoices as (
    select * from {{ ref('stg_billing__invoices') }}
    where status is distinct from 'void'
),

booked as (
    select
        account_id,
        date_trunc('month', close_date)::date as period_start,
        currency,
        sum(amount) as booked_amount,
        count(*) as won_deal_count
    from won_deals
    group by 1, 2, 3
),

invoiced as (
    select
        account_id,
        date_trunc('month', invoice_date)::date as period_start,
        currency,
        sum(total_amount) as invoiced_amount,
        count(*) as invoice_count
    from invoices
    group by 1, 2, 3
),

final as (
    select
        coalesce(booked.account_id, invoiced.account_id) as account_id,
        coalesce(booked.period_start, invoiced.period_start) as period_start,
        to_char(coalesce(booked.period_start, invoiced.period_start), 'YYYY-MM') as pay_period,
        coalesce(booked.currency, invoiced.currency) as currency,
        coalesce(booked.booked_amount, 0) as booked_amount,
        coalesce(booked.won_deal_count, 0) as won_deal_count,
        coalesce(invoiced.invoiced_amount, 0) as invoiced_amount,
        coalesce(invoiced.invoice_count, 0) as invoice_count,
        coalesce(booked.booked_amount, 0) - coalesce(invoiced.invoiced_amount, 0) as booked_less_invoiced
    from booked
    full outer join invoiced
        on invoiced.account_id is not distinct from booked.account_id
        and invoiced.period_start = booked.period_start
        and invoiced.currency is not distinct from booked.currency
)

select * from final
