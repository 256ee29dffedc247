-- One-off bonuses (a plan version's `bonuses`): a bonus pays its amount once per bonus
-- period (month, quarter or year) in which the person's attainment on the named component
-- reaches attainment_at_least, in the month it is first reached. Attainment here is the
-- component's commissionable credits from the period's start to the end of the month,
-- over the quota of the whole period (the person's quota rows of its months on the plan,
-- int_plan_quota_months, prorated for a hire, termination or unpaid leave like the
-- component's quota). The amount is in the plan currency and converts at the month's
-- last day. Nothing is rounded here.

{{ config(materialized='table', schema='pay_lines') }}

with bonuses as (
    select * from {{ ref('stg_plans__bonuses') }}
),

components as (
    select * from {{ ref('int_plan_components') }}
),

credits as (
    select * from {{ ref('int_measure_credits') }}
    where is_commissionable
),

plan_quotas as (
    select * from {{ ref('int_plan_quota_months') }}
),

fx_rates as (
    select * from {{ ref('int_fx_rates') }}
),

bonus_credits as (
    select
        credits.employee_id,
        credits.plan_id,
        credits.plan_version_number,
        credits.pay_currency,
        credits.period_start,
        credits.credit_amount,
        bonuses.bonus_id,
        bonuses.bonus_name,
        bonuses.bonus_amount,
        bonuses.bonus_period,
        bonuses.attainment_at_least,
        bonuses.component_id,
        components.quota_measure,
        components.plan_currency,
        components.prorate_hire,
        components.prorate_termination,
        components.prorate_unpaid_leave,
        date_trunc(bonuses.bonus_period, credits.period_start)::date as bonus_period_start
    from credits
    inner join bonuses
        on bonuses.plan_id = credits.plan_id
        and bonuses.version_number = credits.plan_version_number
    inner join components
        on components.plan_id = bonuses.plan_id
        and components.version_number = bonuses.version_number
        and components.component_id = bonuses.component_id
        and {{ credit_counts_toward(
            'credits.credit_type', 'components.credit_owner', 'components.credit_manager_rollup',
            'components.has_credit_overlays', 'components.scope'
        ) }}
        and components.measure = credits.measure
        and components.payment_trigger = credits.payment_trigger
),

months as (
    select
        employee_id,
        plan_id,
        bonus_id,
        bonus_period_start,
        period_start,
        max(plan_version_number) as plan_version_number,
        max(pay_currency) as pay_currency,
        max(bonus_name) as bonus_name,
        max(bonus_amount) as bonus_amount,
        max(bonus_period) as bonus_period,
        max(attainment_at_least) as attainment_at_least,
        max(component_id) as component_id,
        max(quota_measure) as quota_measure,
        max(plan_currency) as plan_currency,
        bool_or(prorate_hire) as prorate_hire,
        bool_or(prorate_termination) as prorate_termination,
        bool_or(prorate_unpaid_leave) as prorate_unpaid_leave,
        sum(credit_amount) as month_measure
    from bonus_credits
    group by 1, 2, 3, 4, 5
),

period_quotas as (
    select
        months.employee_id,
        months.plan_id,
        months.bonus_id,
        months.bonus_period_start,
        sum({{ prorated_month('plan_quotas.quota_amount', 'plan_quotas', 'months') }}) as period_quota
    from (
        select
            employee_id,
            plan_id,
            bonus_id,
            bonus_period_start,
            max(bonus_period) as bonus_period,
            max(quota_measure) as quota_measure,
            bool_or(prorate_hire) as prorate_hire,
            bool_or(prorate_termination) as prorate_termination,
            bool_or(prorate_unpaid_leave) as prorate_unpaid_leave
        from months
        group by 1, 2, 3, 4
    ) as months
    inner join plan_quotas
        on plan_quotas.employee_id = months.employee_id
        and plan_quotas.plan_id = months.plan_id
        and plan_quotas.measure = months.quota_measure
        and plan_quotas.period_start >= months.bonus_period_start
        and plan_quotas.period_start < months.bonus_period_start + {{ period_length('months.bonus_period') }}
    group by 1, 2, 3, 4
),

to_date as (
    select
        months.*,
        period_quotas.period_quota,
        sum(months.month_measure) over (
            partition by months.employee_id, months.plan_id, months.bonus_id, months.bonus_period_start
            order by months.period_start
        ) as measure_to_date
    from months
    inner join period_quotas
        on period_quotas.employee_id = months.employee_id
        and period_quotas.plan_id = months.plan_id
        and period_quotas.bonus_id = months.bonus_id
        and period_quotas.bonus_period_start = months.bonus_period_start
),

first_reached as (
    select distinct on (employee_id, plan_id, bonus_id, bonus_period_start)
        to_date.*,
        (to_date.period_start + interval '1 month' - interval '1 day')::date as bonus_fx_date
    from to_date
    where measure_to_date / nullif(period_quota, 0) >= attainment_at_least
    order by employee_id, plan_id, bonus_id, bonus_period_start, period_start
),

final as (
    select
        {{ dbt.hash(
            "'bonus|' || first_reached.employee_id || '|' || first_reached.plan_id || " ~
            "'|' || first_reached.bonus_id || '|' || " ~
            "first_reached.bonus_period_start"
        ) }}
            as commission_line_id,
        'bonus' as line_type,
        first_reached.employee_id,
        first_reached.plan_id,
        first_reached.plan_version_number,
        first_reached.component_id,
        to_char(first_reached.period_start, 'YYYY-MM') as pay_period,
        first_reached.period_start,
        trim_scale(
            first_reached.bonus_amount
            * {{ fx_rate_between('to_pay_fx', 'first_reached.plan_currency', 'first_reached.pay_currency') }}
        ) as commission_amount,
        first_reached.pay_currency,
        first_reached.bonus_id as evidence_key,
        first_reached.bonus_id as incentive_id,
        first_reached.bonus_name as incentive_name,
        first_reached.bonus_period_start,
        first_reached.period_quota,
        trim_scale(first_reached.measure_to_date) as measure_to_date,
        trim_scale(first_reached.measure_to_date / first_reached.period_quota) as attainment_reached,
        first_reached.attainment_at_least,
        first_reached.bonus_amount as incentive_amount,
        first_reached.plan_currency as incentive_currency,
        trim_scale(
            {{ fx_rate_between('to_pay_fx', 'first_reached.plan_currency', 'first_reached.pay_currency') }}
        ) as incentive_fx_rate,
        first_reached.bonus_fx_date as incentive_fx_date
    from first_reached
    {{ fx_rate_joins(
        'to_pay_fx', 'first_reached.plan_currency', 'first_reached.pay_currency', 'first_reached.bonus_fx_date'
    ) }}
)

select * from final
