-- Clawbacks: commission taken back when the customer of a credited deal is refunded or
-- churns (a billing credit note with reason refund or churn on one of the deal's
-- invoices) within the window the plan version sets for that event, counted from the
-- close date. The clawback is the commission paid on the deal credit (its commission and
-- per-deal cap lines, every component, measure and payment event) times the share of the deal credited back,
-- never more than all of it over several credit notes, and it lands in the pay period
-- the credit note was issued in (recover_in: period_discovered). A credit note in
-- another currency than the deal's cannot be measured against it: its line keeps a
-- null amount and the not_null test on fct_commission_lines stops the run.

{{ config(materialized='table') }}

with credit_notes as (
    select * from {{ ref('stg_billing__credit_notes') }}
    where credit_reason in ('refund', 'churn')
),

invoices as (
    select * from {{ ref('stg_billing__invoices') }}
),

credits as (
    select * from {{ ref('int_credits') }}
    where is_commissionable
),

policies as (
    select * from {{ ref('stg_plans__clawback_policies') }}
),

commission_lines as (
    select * from {{ ref('int_commission_lines') }}
),

deal_caps as (
    select * from {{ ref('int_commission_caps') }}
    where line_type = 'per_deal_cap'
),

measure_credits as (
    select credit_id, deal_credit_id from {{ ref('int_measure_credits') }}
),

paid_on_credit as (
    -- Everything the deal credit earned, over every measure and event it was credited at.
    select measure_credits.deal_credit_id as credit_id, sum(credit_lines.commission_amount) as commission_paid
    from (
        select credit_id, commission_amount from commission_lines
        union all
        select credit_id, commission_amount from deal_caps
    ) as credit_lines
    inner join measure_credits
        on measure_credits.credit_id = credit_lines.credit_id
    group by measure_credits.deal_credit_id
),

events as (
    select
        credit_notes.*,
        credit_notes.credit_reason as clawback_event,
        invoices.opportunity_id
    from credit_notes
    inner join invoices
        on invoices.invoice_id = credit_notes.invoice_id
),

in_window as (
    select
        events.credit_note_id,
        events.clawback_event,
        events.issue_date,
        events.amount as credit_note_amount,
        events.currency as credit_note_currency,
        events.credit_note_row_id,
        events.source_batch_id,
        events.source_file,
        events.source_line,
        credits.credit_id,
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
        and policies.clawback_event = events.clawback_event
    inner join paid_on_credit
        on paid_on_credit.credit_id = credits.credit_id
    where events.issue_date >= credits.credit_date
        and events.issue_date - credits.credit_date <= policies.window_days
),

cumulative as (
    -- Several credit notes never claw back more than the whole deal.
    select
        in_window.*,
        sum(share_credited_back) over (
            partition by credit_id
            order by issue_date, credit_note_id
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
        {{ dbt.hash("'clawback|' || credit_id || '|' || credit_note_id") }} as commission_line_id,
        'clawback' as line_type,
        credit_id,
        employee_id,
        plan_id,
        plan_version_number,
        date_trunc('month', issue_date)::date as period_start,
        to_char(issue_date, 'YYYY-MM') as pay_period,
        pay_currency,
        clawback_event,
        credit_note_id,
        issue_date,
        credit_note_amount,
        credit_note_currency,
        window_days,
        trim_scale(commission_paid) as commission_paid,
        trim_scale(clawback_share) as clawback_share,
        trim_scale(-commission_paid * clawback_share) as commission_amount,
        credit_note_row_id,
        source_batch_id,
        source_file,
        source_line
    from clawed
    where clawback_share is null or clawback_share > 0
)

select * from final
