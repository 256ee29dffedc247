-- The pay lines earned before anything is adjusted: one line per kind's model, each in
-- the pay-line contract with the name of the model keeping its evidence (macros/pay_lines.sql). The adjusting
-- kinds (caps, clawbacks, draws) read what was earned from here, and fct_commission_lines
-- adds them to it. A new kind of earned line is one more member of this list.

with commission as (
    {{ pay_line('int_commission_lines') }}
),

per_transaction as (
    {{ pay_line('int_commission_per_transaction') }}
),

true_ups as (
    {{ pay_line('int_commission_true_ups') }}
),

bonuses as (
    {{ pay_line('int_commission_bonuses') }}
),

contest_prizes as (
    {{ pay_line('int_commission_contests') }}
),

spifs as (
    {{ pay_line('int_commission_spifs') }}
),

mbos as (
    {{ pay_line('int_commission_mbo', where='kind_row.is_payable') }}
),

final as (
    select * from commission
    union all
    select * from per_transaction
    union all
    select * from true_ups
    union all
    select * from bonuses
    union all
    select * from contest_prizes
    union all
    select * from spifs
    union all
    select * from mbos
)

select * from final
