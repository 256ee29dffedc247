-- Contests held: an entrant has a credit on a deal that cannot be measured in the
-- contest's measure (int_contest_entries), so no prize of the contest is paid
-- (int_commission_contests) while the rest of the run goes on. One row per held contest
-- and held deal: the contest, the month it pays in, the prizes at stake (plan currency),
-- its entrants, the deal, why it cannot be measured and which entrants hold a credit on
-- it. Once the deal is fixed (in the CRM export, or the product-family and cost-rate
-- seeds), the next run ranks the contest and pays it.

with entries as (
    select * from {{ ref('int_contest_entries') }}
),

prizes as (
    select * from {{ ref('stg_plans__contest_prizes') }}
),

deal_measures as (
    select * from {{ ref('int_deal_measures') }}
),

held_contests as (
    select
        plan_id,
        version_number,
        contest_id,
        contest_name,
        measure,
        rank_by,
        starts_on,
        ends_on,
        plan_currency,
        period_start,
        is_due,
        count(*) as entrant_count
    from entries
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
    having bool_or(held_credit_count > 0)
),

prizes_at_stake as (
    select
        plan_id,
        version_number,
        contest_id,
        count(*) as prize_count,
        sum(prize_amount) as prize_amount
    from prizes
    group by 1, 2, 3
),

held_deals as (
    -- each deal an entrant holds a credit on, with the entrants holding one
    select
        entries.plan_id,
        entries.version_number,
        entries.contest_id,
        held.opportunity_id,
        count(*) as held_entrant_count,
        string_agg(entries.employee_id, ', ' order by entries.employee_id) as held_entrants
    from entries
    cross join lateral jsonb_array_elements_text(entries.held_opportunity_ids) as held (opportunity_id)
    group by 1, 2, 3, 4
),

final as (
    select
        held_contests.plan_id,
        held_contests.version_number as plan_version_number,
        held_contests.contest_id,
        held_contests.contest_name,
        held_contests.measure,
        held_contests.rank_by,
        held_contests.starts_on,
        held_contests.ends_on,
        to_char(held_contests.period_start, 'YYYY-MM') as pay_period,
        held_contests.is_due,
        prizes_at_stake.prize_count,
        prizes_at_stake.prize_amount as prizes_at_stake,
        held_contests.plan_currency as prize_currency,
        held_contests.entrant_count,
        held_deals.opportunity_id,
        {{ deal_measure_problem('held_contests.measure', 'deal_measures') }} as reason,
        held_deals.held_entrant_count,
        held_deals.held_entrants
    from held_contests
    inner join held_deals
        on held_deals.plan_id = held_contests.plan_id
        and held_deals.version_number = held_contests.version_number
        and held_deals.contest_id = held_contests.contest_id
    inner join deal_measures
        on deal_measures.opportunity_id = held_deals.opportunity_id
    left join prizes_at_stake
        on prizes_at_stake.plan_id = held_contests.plan_id
        and prizes_at_stake.version_number = held_contests.version_number
        and prizes_at_stake.contest_id = held_contests.contest_id
)

select * from final
