-- Bookings against the monthly quota, per employee, plan and month: commissionable
-- bookings credited in the month (credit currency: the pay currency, or the plan currency
-- when the plan measures credits in it) over the month's bookings quota, prorated for a
-- hire or a termination in the month when the plan version of the month's credits says
-- so. A volume figure for finance (fct_payouts) and BI (bi.fct_monthly_bookings), named
-- bookings_to_monthly_quota: it is not attainment. Attainment, what rates are applied on,
-- is each component window's (int_component_attainment: a quarter's or the year's measure
-- to date against that window's quota). Manager, territory and role are those of the
-- assignment behind the month's last credit. Region credits (every deal of a region, for
-- each person measured on it) are measured against the region's quota by their component,
-- not counted here.

with credits as (
    select * from {{ ref('int_credits') }}
    where is_commissionable
        and credit_type is distinct from 'region'
),

plan_quotas as (
    select * from {{ ref('int_plan_quota_months') }}
),

versions as (
    select * from {{ ref('stg_plans__plan_versions') }}
),

by_period as (
    select
        employee_id,
        plan_id,
        period_start,
        pay_period,
        pay_currency,
        credit_currency,
        max(quota_amount) as hr_quota_amount,
        max(quota_row_id) as quota_row_id,
        max(plan_version_number) as plan_version_number,
        sum(credit_amount) as credited_bookings,
        sum(credit_amount_usd) as credited_bookings_usd,
        count(*) as credit_count
    from credits
    group by employee_id, plan_id, period_start, pay_period, pay_currency, credit_currency
),

last_assignment as (
    select distinct on (employee_id, plan_id, period_start)
        employee_id,
        plan_id,
        period_start,
        role,
        manager_employee_id,
        territory
    from credits
    order by employee_id, plan_id, period_start, credit_date desc, opportunity_id desc, split_id desc nulls last
),

prorated as (
    select
        by_period.*,
        {{ prorated_month('by_period.hr_quota_amount', 'plan_quotas', 'versions') }} as quota_amount
    from by_period
    left join plan_quotas
        on plan_quotas.quota_row_id = by_period.quota_row_id
        and plan_quotas.plan_id = by_period.plan_id
    left join versions
        on versions.plan_id = by_period.plan_id
        and versions.version_number = by_period.plan_version_number
),

final as (
    select
        by_period.employee_id,
        by_period.plan_id,
        by_period.period_start,
        by_period.pay_period,
        by_period.pay_currency,
        by_period.credit_currency,
        trim_scale(by_period.quota_amount) as quota_amount,
        by_period.hr_quota_amount,
        by_period.credited_bookings,
        by_period.credited_bookings_usd,
        trim_scale(by_period.credited_bookings / nullif(by_period.quota_amount, 0)) as bookings_to_monthly_quota,
        by_period.credit_count,
        last_assignment.role,
        last_assignment.manager_employee_id,
        last_assignment.territory
    from prorated as by_period
    inner join last_assignment
        on last_assignment.employee_id = by_period.employee_id
        and last_assignment.plan_id = by_period.plan_id
        and last_assignment.period_start = by_period.period_start
)

select * from final
