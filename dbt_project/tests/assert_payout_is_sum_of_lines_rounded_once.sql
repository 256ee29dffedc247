-- Every payout is its lines (commission and caps) summed, then rounded once to the currency's
-- minor units. Returns the payouts where that does not hold.
with lines as (
    select employee_id, plan_id, period_start, sum(commission_amount) as line_total, count(*) as line_count
    from {{ ref('fct_commission_lines') }}
    group by employee_id, plan_id, period_start
)

select payouts.*, lines.line_total, lines.line_count
from {{ ref('fct_payouts') }} as payouts
left join lines
    on lines.employee_id = payouts.employee_id
    and lines.plan_id = payouts.plan_id
    and lines.period_start = payouts.period_start
where lines.line_total is distinct from payouts.commission_unrounded
    or round(lines.line_total, payouts.minor_units) <> payouts.payout_amount
    or lines.line_count <> payouts.commission_line_count
