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

booked_and_invoiced as (
    -- both sides as rows of one shape, grouped once: a group is an account, month and
    -- currency on either side (a full join on nullable keys could not be hashed)
    select
        account_id,
        date_trunc('month', close_date)::date as period_start,
        currency,
        amount as booked_amount,
        1 as won_deal,
        0::numeric as invoiced_amount,
        0 as invoice
    from won_deals
    union all
    select
        account_id,
        date_trunc('month', invoice_date)::date as period_start,
        currency,
        0::numeric as booked_amount,
        0 as won_deal,
        total_amount as invoiced_amount,
        1 as invoice
    from invoices
),

final as (
    select
        account_id,
        period_start,
        to_char(period_start, 'YYYY-MM') as pay_period,
        currency,
        sum(booked_amount) as booked_amount,
        sum(won_deal) as won_deal_count,
        sum(invoiced_amount) as invoiced_amount,
        sum(invoice) as invoice_count,
        sum(booked_amount) - sum(invoiced_amount) as booked_less_invoiced
    from booked_and_invoiced
    group by account_id, period_start, currency
)

select * from final
