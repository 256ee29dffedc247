-- The attainment of each component window at each of its months: the one attainment there
-- is. The rating reads it (int_commission_evaluations: the bands a credit falls in, the
-- threshold, the retroactive band reached, a curve's target incentive to date, true-ups),
-- and BI and `commissions explain` report it (bi.fct_attainment), so a rep sees on the
-- dashboard exactly what their lines were rated on.
--
-- Every commissionable measured credit (int_measure_credits) counts toward each component
-- of its plan version that rates it on attainment (component_rates_credit; a table per
-- transaction rates a deal on its own amount and has no attainment), within the
-- component's attainment window:
--   period_to_date   the quota period the credit's month falls in (month, quarter, year);
--   year_to_date     its calendar year, to date;
-- never starting before the plan version's first month. A window has a row for each month
-- with a credit in it (the months its credits are rated at):
--   measure_to_date  the window's measure from its start to the end of the month;
--   quota_amount     period_to_date: the quota of the window's months (the whole quota
--                    period, less the months before the version starts or after it ends);
--                    year_to_date: from the window's start to the end of the month's
--                    quota period, never past the version's end
--                    (HR quotas.measure = the component's quota_measure, monthly rows
--                    summed, counting the months the person is on the plan, each times
--                    its prorated share: the days employed (and not on unpaid leave) over
--                    the month's days when the version prorates, else 1);
--   quota_months     the months of target incentive that quota stands for (a prorated
--                    month counts its share), for a curve's target incentive to date;
--   attainment       measure_to_date / quota_amount (null without a quota: its credits
--                    get no line, which assert_lines_explain_every_commissionable_credit
--                    reports).
-- The amounts keep the scale they were computed with (no trim_scale): the rating divides by
-- the quota and the months, and PostgreSQL sizes a quotient by its operands' scales.
-- Attainment is only compared (threshold, bands): it drops its trailing zeros.

{{ config(materialized='table') }}

with credits as (
    select * from {{ ref('int_measure_credits') }}
    where is_commissionable
),

components as (
    select
        *,
        -- the period a window spans: the quota period, or the year for year_to_date
        case when attainment_basis = 'year_to_date' then 'year' else quota_period end as window_period
    from {{ ref('int_plan_components') }}
    where is_computed
        and rate_table_per is distinct from 'transaction'
),

plan_quotas as (
    select * from {{ ref('int_plan_quota_months') }}
),

window_credits as (
    select
        credits.employee_id,
        credits.plan_id,
        credits.plan_version_number,
        credits.plan_version,
        credits.period_start,
        credits.credit_date,
        credits.credit_amount,
        credits.credit_currency,
        credits.pay_currency,
        credits.role,
        credits.manager_employee_id,
        credits.territory,
        components.component_id,
        components.component_name,
        components.measure,
        components.quota_measure,
        components.quota_period,
        components.attainment_basis,
        components.window_period,
        components.effective_to,
        components.prorate_hire,
        components.prorate_termination,
        components.prorate_unpaid_leave,
        greatest(
            date_trunc(components.window_period, credits.period_start),
            date_trunc('month', components.effective_from)
        )::date as window_start
    from credits
    inner join components
        on {{ component_rates_credit('credits', 'components') }}
),

window_months as (
    -- Each window's measure in each of its months with a credit.
    select
        employee_id,
        plan_id,
        plan_version_number,
        component_id,
        window_start,
        period_start,
        max(plan_version) as plan_version,
        max(component_name) as component_name,
        max(measure) as measure,
        max(quota_measure) as quota_measure,
        max(quota_period) as quota_period,
        max(attainment_basis) as attainment_basis,
        max(window_period) as window_period,
        max(effective_to) as effective_to,
        bool_or(prorate_hire) as prorate_hire,
        bool_or(prorate_termination) as prorate_termination,
        bool_or(prorate_unpaid_leave) as prorate_unpaid_leave,
        max(credit_currency) as credit_currency,
        max(pay_currency) as pay_currency,
        count(*) as credit_count,
        sum(credit_amount) as month_measure
    from window_credits
    group by employee_id, plan_id, plan_version_number, component_id, window_start, period_start
),

last_assignment as (
    -- who the month's credits were credited to as (role, manager, territory): the
    -- assignment behind its last credit
    select distinct on (employee_id, plan_id, plan_version_number, component_id, period_start)
        employee_id,
        plan_id,
        plan_version_number,
        component_id,
        period_start,
        role,
        manager_employee_id,
        territory
    from window_credits
    order by
        employee_id, plan_id, plan_version_number, component_id, period_start, credit_date desc,
        role, manager_employee_id, territory
),

to_date as (
    -- The window's measure to the end of each such month: a running sum of its months.
    select
        window_months.*,
        -- the window's last day: its period's, unless the version ends first
        least(
            (
                date_trunc(window_months.window_period, window_months.window_start)
                + {{ period_length('window_months.window_period') }} - interval '1 day'
            )::date,
            window_months.effective_to
        ) as window_end,
        sum(month_measure) over (
            partition by employee_id, plan_id, plan_version_number, component_id, window_start
            order by period_start
            rows between unbounded preceding and current row
        ) as measure_to_date
    from window_months
),

quota_to_date as (
    -- period_to_date: the whole quota period; year_to_date: the window's start to the end
    -- of the month's quota period; only months the person is on the plan count, each for
    -- its prorated share.
    select
        to_date.employee_id,
        to_date.plan_id,
        to_date.plan_version_number,
        to_date.component_id,
        to_date.period_start,
        sum({{ prorated_month('plan_quotas.quota_amount', 'plan_quotas', 'to_date') }}) as quota_amount,
        sum({{ prorated_month('1::numeric', 'plan_quotas', 'to_date') }}) as quota_months
    from to_date
    inner join plan_quotas
        on plan_quotas.employee_id = to_date.employee_id
        and plan_quotas.plan_id = to_date.plan_id
        and plan_quotas.measure = to_date.quota_measure
        and plan_quotas.period_start >= to_date.window_start
        -- never a month past the window: a version starting or ending mid-period is
        -- measured against the quota of its own months
        and plan_quotas.period_start <= to_date.window_end
        and (
            to_date.attainment_basis <> 'year_to_date'
            or plan_quotas.period_start
            < date_trunc(to_date.quota_period, to_date.period_start) + {{ period_length('to_date.quota_period') }}
        )
    group by
        to_date.employee_id, to_date.plan_id, to_date.plan_version_number, to_date.component_id, to_date.period_start
),

final as (
    select
        to_date.employee_id,
        to_date.plan_id,
        to_date.plan_version_number,
        to_date.plan_version,
        to_date.component_id,
        to_date.component_name,
        to_date.measure,
        to_date.quota_measure,
        to_date.quota_period,
        to_date.attainment_basis,
        to_date.window_start,
        to_date.window_end,
        to_date.period_start,
        to_char(to_date.period_start, 'YYYY-MM') as pay_period,
        to_date.credit_currency,
        to_date.pay_currency,
        to_date.credit_count,
        to_date.month_measure,
        to_date.measure_to_date,
        quota_to_date.quota_amount,
        quota_to_date.quota_months,
        trim_scale(to_date.measure_to_date / nullif(quota_to_date.quota_amount, 0)) as attainment,
        last_assignment.role,
        last_assignment.manager_employee_id,
        last_assignment.territory
    from to_date
    -- left join: a window without a quota keeps its row, with no attainment
    left join quota_to_date
        using (employee_id, plan_id, plan_version_number, component_id, period_start)
    inner join last_assignment
        using (employee_id, plan_id, plan_version_number, component_id, period_start)
)

select * from final
