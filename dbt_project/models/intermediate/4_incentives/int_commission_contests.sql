-- Contest prizes (a plan version's `contests`): the entrants of each contest
-- (int_contest_entries: everyone on the version with commissionable bookings in its dates,
-- scored by them in the plan currency or over quota) are ranked 1 = best. Ties share a rank
-- and its prize, and the next rank is skipped. Prizes are paid in the month the contest
-- ends, once the data reaches that month, converted at its last day.
-- A contest with an entrant's credit that cannot be measured in its measure is held: it
-- pays no prize (ranking without that deal could pay the wrong person), the run goes on,
-- and ops.ops_held_contests names the deal and why; once the deal is fixed, the next run
-- ranks and pays it. When an entrant cannot be scored for another reason (a missing rate
-- or quota) the prizes stay null and the run stops rather than rank without them.

{{ config(materialized='table', schema='pay_lines') }}

with entries as (
    select * from {{ ref('int_contest_entries') }}
),

prizes as (
    select * from {{ ref('stg_plans__contest_prizes') }}
),

fx_rates as (
    select * from {{ ref('int_fx_rates') }}
),

ranked as (
    select
        entries.*,
        rank() over (partition by plan_id, version_number, contest_id order by score desc nulls last) as contest_rank,
        -- a held credit of any entrant holds the whole contest (ops.ops_held_contests)
        bool_or(held_credit_count > 0) over (partition by plan_id, version_number, contest_id) as is_held,
        -- an entrant without a score otherwise (no rate, no quota) could change every rank
        bool_or(score is null) over (partition by plan_id, version_number, contest_id) as has_unscored_entrant,
        (period_start + interval '1 month' - interval '1 day')::date as prize_fx_date
    from entries
),

winners as (
    select
        ranked.*,
        prizes.prize_amount
    from ranked
    inner join prizes
        on prizes.plan_id = ranked.plan_id
        and prizes.version_number = ranked.version_number
        and prizes.contest_id = ranked.contest_id
        and prizes.prize_rank = ranked.contest_rank
    where ranked.is_due
        and not ranked.is_held
),

final as (
    select
        {{ dbt.hash("'contest|' || winners.employee_id || '|' || winners.plan_id || '|' || winners.contest_id") }}
            as commission_line_id,
        'contest' as line_type,
        winners.employee_id,
        winners.plan_id,
        winners.version_number as plan_version_number,
        null::text as component_id,
        to_char(winners.period_start, 'YYYY-MM') as pay_period,
        winners.period_start,
        trim_scale(
            case when not winners.has_unscored_entrant then winners.prize_amount end
            * {{ fx_rate_between('to_pay_fx', 'winners.plan_currency', 'winners.pay_currency') }}
        ) as commission_amount,
        winners.pay_currency,
        winners.contest_id as evidence_key,
        winners.contest_id as incentive_id,
        winners.contest_name as incentive_name,
        winners.rank_by,
        winners.contest_rank,
        trim_scale(winners.score) as score,
        winners.bookings,
        winners.contest_quota,
        winners.prize_amount as incentive_amount,
        winners.plan_currency as incentive_currency,
        trim_scale(
            {{ fx_rate_between('to_pay_fx', 'winners.plan_currency', 'winners.pay_currency') }}
        ) as incentive_fx_rate,
        winners.prize_fx_date as incentive_fx_date
    from winners
    {{ fx_rate_joins('to_pay_fx', 'winners.plan_currency', 'winners.pay_currency', 'winners.prize_fx_date') }}
)

select * from final
