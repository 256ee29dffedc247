-- Contest entries (a plan version's `contests`), one row per contest and entrant: everyone
-- on the version with commissionable deal credits from starts_on to ends_on, and what they
-- are ranked on (int_commission_contests ranks them and pays the prizes). Bookings are the
-- contest's measure, the deals' value closed in the dates (int_deal_measures): TCV, ACV,
-- first-year value or gross margin (money: in the plan currency, converted at each
-- credit's date, for rank_by amount; over the quota of the contest's months on the plan
-- for rank_by attainment), or units sold (a count, rank_by amount only, never converted).
-- Contests on billing measures or activities, and on units by attainment, are not computed
-- (assert_assigned_plans_are_computed stops the run).
--
-- A credit whose deal cannot be measured in the contest's measure (deal_measure_problem:
-- its line items do not add up to the amount, no term, ...) is held, as a component holds
-- it (int_measure_credits): the entrant has no score and the entry names the deal and why
-- (held_opportunity_id, measure_problem; every held deal in held_opportunity_ids), so the
-- whole contest is held (ranking without that deal could pay the wrong person) and listed
-- in ops.ops_held_contests. An entrant without a score for another reason (a missing rate
-- or quota) is reference data the whole run needs: int_commission_contests stops the run.

{{ config(materialized='table') }}

with contests as (
    select * from {{ ref('stg_plans__contests') }}
    where measure in {{ bookings_measures() }}
        or measure = 'margin'
        or (measure = 'units' and rank_by = 'amount')
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
    -- in the pay currency and in USD at the close date; or why the deal cannot be.
    select
        contests.*,
        credits.employee_id,
        credits.opportunity_id,
        credits.pay_currency,
        credits.credit_date,
        {{ deal_measure_value('contests.measure', 'deal_measures') }} * credits.split_share as measured,
        {{ deal_measure_problem('contests.measure', 'deal_measures') }} as measure_problem,
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
        count(*) as credit_count,
        -- a held credit leaves the score unknown (sum() would skip it)
        count(*) filter (where contest_credits.measure_problem is not null) as held_credit_count,
        min(contest_credits.opportunity_id) filter (where contest_credits.measure_problem is not null)
            as held_opportunity_id,
        (array_agg(contest_credits.measure_problem order by contest_credits.opportunity_id)
            filter (where contest_credits.measure_problem is not null))[1] as measure_problem,
        -- jsonb rather than an array: a column type dbt's unit tests can give
        jsonb_agg(distinct contest_credits.opportunity_id order by contest_credits.opportunity_id)
            filter (where contest_credits.measure_problem is not null) as held_opportunity_ids,
        case
            when bool_and(contest_credits.measure_problem is null)
                -- in the credit currency; units are a count
                then sum(
                    contest_credits.measured
                    * case when contest_credits.measure = 'units' then 1 else contest_credits.fx_rate end
                )
        end as bookings,
        case
            -- units are a count: ranked as they are
            when contest_credits.measure = 'units' and bool_and(contest_credits.measure_problem is null)
                then sum(contest_credits.measured)
            when contest_credits.measure <> 'units' and bool_and(
                contest_credits.measure_problem is null
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
        end as score,
        -- prizes are paid in the month the contest ends, once the data reaches that month
        date_trunc('month', ends_on)::date as period_start
    from with_quota
),

final as (
    select
        scored.plan_id,
        scored.version_number,
        scored.contest_id,
        scored.contest_name,
        scored.starts_on,
        scored.ends_on,
        scored.measure,
        scored.rank_by,
        scored.plan_currency,
        scored.period_start,
        scored.period_start <= data_months.last_month as is_due,
        scored.employee_id,
        scored.pay_currency,
        scored.credit_count,
        trim_scale(scored.bookings) as bookings,
        trim_scale(scored.bookings_in_plan_currency) as bookings_in_plan_currency,
        scored.contest_quota,
        trim_scale(scored.score) as score,
        scored.held_credit_count,
        scored.held_opportunity_id,
        scored.measure_problem,
        scored.held_opportunity_ids
    from scored
    cross join data_months
)

select * from final
