-- One row per quota row (HR quotas, monthly) and plan the person is on during that month:
-- the quota a plan's attainment windows and bonuses add up, so a move onto a plan
-- mid-year does not measure the person against the old job's quota.
--
-- The quota row is the whole month's. The days of it before the person started on the
-- plan (hired, or moved onto it), after they ended on it (left the company, or moved off
-- it) and on unpaid leave in between are counted here, so that a plan version that
-- prorates them (macro prorated_month: hire, termination, unpaid_leave) can take them
-- out: HR states the full-month quota, and the plan says whether a partial month
-- carries all of it.

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
    -- one row per quota row and plan, however many assignments on the plan overlap the
    -- month (a new manager mid-month is not a move): the first and last day on the plan
    select
        quotas.employee_id,
        assignments.plan_id,
        quotas.measure,
        quotas.period_start,
        quotas.period_end,
        quotas.quota_amount,
        quotas.quota_currency,
        quotas.quota_row_id,
        greatest(min(assignments.valid_from), max(assignments.hire_date)) as started_on,
        -- greatest() and least() skip nulls: an open assignment or no termination is no end
        least(
            case when bool_or(assignments.valid_to is null) then null else max(assignments.valid_to) end,
            max(assignments.termination_date)
        ) as ended_on
    from quotas
    inner join assignments
        on assignments.employee_id = quotas.employee_id
        and assignments.valid_from <= quotas.period_end
        and (assignments.valid_to is null or assignments.valid_to >= quotas.period_start)
    group by 1, 2, 3, 4, 5, 6, 7, 8
),

final as (
    select
        employee_id,
        plan_id,
        measure,
        period_start,
        period_end,
        quota_amount,
        quota_currency,
        quota_row_id,
        started_on,
        ended_on,
        (period_end - period_start + 1) as month_days,
        {{ days_before_hire('period_start', 'period_end', 'started_on') }} as days_before_start,
        {{ days_after_termination('period_start', 'period_end', 'ended_on') }} as days_after_end,
        {{ days_on_unpaid_leave(
            'on_plan.employee_id', 'on_plan.period_start', 'on_plan.period_end', 'on_plan.started_on', 'on_plan.ended_on'
        ) }} as days_on_unpaid_leave
    from on_plan
)

select * from final
