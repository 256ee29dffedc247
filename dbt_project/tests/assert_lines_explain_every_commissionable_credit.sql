-- For every component that pays it, the band parts of each commissionable credit add
-- up to the credit: nothing is lost or counted twice between bands, and every credit
-- has at least one line.
with credits as (
    select credit_id, credit_amount
    from {{ ref('int_measure_credits') }}
    where is_commissionable
),

lines as (
    -- the band parts: a commission line's evidence is its credit and the part of it in
    -- the band; caps and clawbacks take money back and cover no part of the credit
    select
        evidence_key as credit_id,
        component_id,
        sum((evidence ->> 'tier_base_amount')::numeric) as explained
    from {{ ref('fct_commission_lines') }}
    where line_type = 'commission'
    group by evidence_key, component_id
)

select credits.credit_id, lines.component_id, credits.credit_amount, lines.explained
from credits
left join lines
    on lines.credit_id = credits.credit_id
where lines.explained is distinct from credits.credit_amount
