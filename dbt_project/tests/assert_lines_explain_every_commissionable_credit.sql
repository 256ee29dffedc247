-- For every component that pays it, the band parts of each commissionable credit add
-- up to the credit: nothing is lost or counted twice between bands, and every credit
-- has at least one line.
with credits as (
    select credit_id, credit_amount
    from {{ ref('int_measure_credits') }}
    where is_commissionable
),

rated as (
    -- a commission line's evidence is its credit and the part of it in the band: its row in
    -- the model of the way it was rated (docs/plans.md, section 5)
    select commission_line_id, tier_base_amount from {{ ref('int_commission_lines') }}
    union all
    select commission_line_id, tier_base_amount from {{ ref('int_commission_per_transaction') }}
),

band_parts as (
    -- the band parts of the commission lines; caps and clawbacks take money back and
    -- cover no part of the credit
    select
        pay_lines.evidence_key as credit_id,
        pay_lines.component_id,
        rated.tier_base_amount
    from {{ ref('fct_commission_lines') }} as pay_lines
    inner join rated
        on rated.commission_line_id = pay_lines.commission_line_id
    where pay_lines.line_type = 'commission'
),

lines as (
    select
        credit_id,
        component_id,
        sum(tier_base_amount) as explained
    from band_parts
    group by credit_id, component_id
)

select credits.credit_id, lines.component_id, credits.credit_amount, lines.explained
from credits
left join lines
    on lines.credit_id = credits.credit_id
where lines.explained is distinct from credits.credit_amount
