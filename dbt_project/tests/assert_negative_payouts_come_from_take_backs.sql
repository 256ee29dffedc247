-- A payout below zero is only right when clawbacks, a true-up or a credit that took the
-- measure down (a negative commission line: a negative first-year value, say) took back
-- more than the month earned; any other negative payout is a defect in the maths.
with payouts as (
    select * from {{ ref('fct_payouts') }}
),

clawbacks as (
    select distinct employee_id, plan_id, period_start
    from {{ ref('fct_commission_lines') }}
    where line_type in ('clawback', 'true_up', 'commission')
        and commission_amount < 0
)

select payouts.*
from payouts
left join clawbacks
    on clawbacks.employee_id = payouts.employee_id
    and clawbacks.plan_id = payouts.plan_id
    and clawbacks.period_start = payouts.period_start
where payouts.payout_amount < 0
    and clawbacks.employee_id is null
