-- For every component that pays it, the band parts of each commissionable credit add
-- up to the credit: nothing is lost or counted twice between bands, and every credit
-- has at least one line.
with credits as (
    select credit_id, credit_amount
    from {{ ref('int_measure_credits') }}
    where is_commissionable
),

band_parts as materialized (
    -- the band parts: a commission line's evidence is its credit and the part of it in
    -- the band; caps and clawbacks take money back and cover no part of the credit.
    -- Materialized: the part is read out of the evidence before the lines are grouped,
    -- not after sorting whole lines with their evidence (hundreds of MB on disk).
    select
        evidence_key as credit_id,
        component_id,
        (evidence ->> 'tier_base_amount')::numeric as tier_base_amount
    from {{ ref('fct_commission_lines') }}
    where line_type = 'commission'
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
