-- One row per quota row (HR quotas, monthly) and plan the person is on during that month:
-- the quota a plan's attainment windows and bonuses add up, so a move onto a plan
-- mid-year does not measure the person against the old job's quota.
--
-- The quota row is the whole month's. The days of it before the hire date, after the
-- termination date and on unpaid leave are counted here, so that a plan version that
-- prorates them (macro prorated_month) can take them out: HR states the full-month
-- quota, and the plan says whether a partial month carries all of it.

with quotas as (
    select * from {{ ref('stg_hr__quotas') }}
),

assignments as (
    select * from {{ ref('int_employee_assignments') }}
    where plan_id is not null
),

leaves as (
    select * from {{ ref('stg_hr__leaves') }}
),

on_plan as (
    -- distinct: two assignments on the same plan in one month (a new manager) count once
    select distinct on (quotas.quota_row_id, assignments.plan_id)
        quotas.employee_id,
        assignments.plan_id,
        quotas.measure,
        quotas.period_start,
        quotas.period_end,
        quotas.quota_amount,
        quotas.quota_currency,
        quotas.quota_row_id,
        (quotas.period_end - quotas.period_start + 1) as month_days,
        {{ days_before_hire('quotas.period_start', 'quotas.period_end', 'assignments.hire_date') }} as days_before_hire,
        {{ days_after_termination('quotas.period_start', 'quotas.period_end', 'assignments.termination_date') }}
            as days_after_termination,
        {{ days_on_unpaid_leave(
            'quotas.employee_id', 'quotas.period_start', 'quotas.period_end',
            'assignments.hire_date', 'assignments.termination_date'
        ) }} as days_on_unpaid_leave
    from quotas
    inner join assignments
        on assignments.employee_id = quotas.employee_id
        and assignments.valid_from <= quotas.period_end
        and (assignments.valid_to is null or assignments.valid_to >= quotas.period_start)
    order by quotas.quota_row_id, assignments.plan_id
)

select * from on_plan
