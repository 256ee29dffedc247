-- Contest prizes (a plan version's `contests`): everyone on the version with commissionable
-- bookings credited from starts_on to ends_on is ranked (1 = best) by those bookings in
-- the plan currency (rank_by: amount; converted at each credit's date) or by them over the
-- quota of the contest's months on the plan (rank_by: attainment). Ties share a rank and
-- its prize, and the next rank is skipped. Prizes are paid in the month the contest ends,
-- once the data reaches that month, converted at its last day. Bookings are the contest's
-- measure, the deals' value closed in the dates (int_deal_measures): TCV, ACV, first-year
-- value or gross margin (money, either ranking), or units sold (a count: rank_by amount
-- ranks the units, never converted). Contests on billing measures or activities, and on
-- units by attainment, are not computed (assert_assigned_plans_are_computed stops the run). When
-- an entrant cannot be scored (a missing rate or quota) the prizes stay null and the run
-- stops rather than rank without them.

{{ config(materialized='table', schema='pay_lines') }}

with contests as (
    select * from {{ ref('stg_plans__contests') }}
    where measure in {{ bookings_measures() }}
        or measure = 'margin'
        or (measure = 'units' and rank_by = 'amount')
),

prizes as (
    select * from {{ ref('stg_plans__contest_prizes') }}
),

plans as (
    select * from {{ ref('stg_plans__plans') }}
),

credits as (
    -- a region credit repeats every deal of the region for each of its people: not a score
    select * from {{ ref('int_credits') }}
    where is_commissionable
        and credit_type is distinct from 'region'
),

deal_measures as (
    select * from {{ ref('int_deal_measures') }}
),

plan_quotas as (
    select * from {{ ref('int_plan_quota_months') }}
    where measure = 'bookings'
),

fx_rates as (
    select * from {{ ref('int_fx_rates') }}
),

data_months as (
    select max(period_start) as last_month from {{ ref('int_credits') }}
),

contest_credits as (
    -- Each credit in a contest's dates, valued in the contest's measure (int_deal_measures):
    -- in the pay currency and in USD at the close date.
    select
        contests.*,
        credits.employee_id,
        credits.pay_currency,
        credits.credit_date,
        {{ deal_measure_value('contests.measure', 'deal_measures') }} * credits.split_share as measured,
        credits.fx_rate,
        credits.deal_usd_rate
    from contests
    inner join credits
        on credits.plan_id = contests.plan_id
        and credits.plan_version_number = contests.version_number
        and credits.credit_date between contests.starts_on and contests.ends_on
    inner join deal_measures
        on deal_measures.opportunity_id = credits.opportunity_id
),

entries as (
    select
        contest_credits.plan_id,
        contest_credits.version_number,
        contest_credits.contest_id,
        contest_credits.contest_name,
        contest_credits.starts_on,
        contest_credits.ends_on,
        contest_credits.rank_by,
        contest_credits.measure,
        plans.plan_currency,
        contest_credits.employee_id,
        max(contest_credits.pay_currency) as pay_currency,
        -- sum() skips nulls: count them, so one unmeasurable credit leaves the score unknown
        case
            when bool_and(contest_credits.measured is not null)
                -- in the credit currency; units are a count
                then sum(
                    contest_credits.measured
                    * case when contest_credits.measure = 'units' then 1 else contest_credits.fx_rate end
                )
        end as bookings,
        case
            -- units are a count: ranked as they are
            when contest_credits.measure = 'units' and bool_and(contest_credits.measured is not null)
                then sum(contest_credits.measured)
            when contest_credits.measure <> 'units' and bool_and(
                contest_credits.measured is not null
                and (plans.plan_currency = 'USD' or plan_rate.usd_rate is not null)
            ) then sum(
                contest_credits.measured * contest_credits.deal_usd_rate
                / case when plans.plan_currency = 'USD' then 1 else plan_rate.usd_rate end
            )
        end as bookings_in_plan_currency
    from contest_credits
    inner join plans
        on plans.plan_id = contest_credits.plan_id
    left join fx_rates as plan_rate
        on plan_rate.currency = plans.plan_currency
        and plan_rate.rate_date = contest_credits.credit_date
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
),

with_quota as (
    select
        entries.*,
        (
            select sum(plan_quotas.quota_amount)
            from plan_quotas
            where plan_quotas.employee_id = entries.employee_id
                and plan_quotas.plan_id = entries.plan_id
                and plan_quotas.period_start between date_trunc('month', entries.starts_on) and entries.ends_on
        ) as contest_quota
    from entries
),

scored as (
    select
        with_quota.*,
        case
            when rank_by = 'attainment' then bookings / nullif(contest_quota, 0)
            else bookings_in_plan_currency
        end as score
    from with_quota
),

ranked as (
    select
        scored.*,
        rank() over (partition by plan_id, version_number, contest_id order by score desc nulls last) as contest_rank,
        -- an entrant without a score (no rate, no quota) could change every rank
        bool_or(score is null) over (partition by plan_id, version_number, contest_id) as has_unscored_entrant,
        date_trunc('month', ends_on)::date as period_start,
        (date_trunc('month', ends_on) + interval '1 month' - interval '1 day')::date as prize_fx_date
    from scored
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
    cross join data_months
    where ranked.period_start <= data_months.last_month
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
        trim_scale(winners.bookings) as bookings,
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
