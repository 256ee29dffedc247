-- Every line behind every payout, in the pay-line contract: what was earned
-- (int_earned_lines: commission, true-up, bonus, contest prize, SPIF, MBO) and what
-- adjusts it (caps, clawbacks, draws), each with the name of its kind's model in schema
-- pay_lines (evidence_model), whose row of the same commission_line_id is its typed
-- evidence. A payout is the sum of its lines.

with earned as (
    select * from {{ ref('int_earned_lines') }}
),

caps as (
    {{ pay_line('int_commission_caps') }}
),

clawbacks as (
    {{ pay_line('int_commission_clawbacks') }}
),

draws as (
    {{ pay_line('int_commission_draws') }}
),

final as (
    select * from earned
    union all
    select * from caps
    union all
    select * from clawbacks
    union all
    select * from draws
)

select * from final
