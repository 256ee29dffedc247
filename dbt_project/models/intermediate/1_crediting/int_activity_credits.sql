-- One row per completed CRM activity (stg_crm__activities) whose owner is on a plan
-- version, on the activity date, that counts activities of its type: a component with
-- `measure: activities` and that `activity`, or a SPIF on it. The activity is credited
-- to its owner, one unit, in the month of the activity date, under the assignment and
-- plan version in force that day. Cancelled activities count for nothing, and an
-- activity no plan of its owner counts is no credit (an AE's calls are not pay). A
-- credit that cannot pay says why (non_commissionable_reason: not employed that day, or
-- no quota row that month on the plan), and ops.ops_non_commissionable_credits lists it.

{{ config(materialized='table') }}

with activities as (
    select * from {{ ref('stg_crm__activities') }}
    where is_completed
),

users as (
    select * from {{ ref('stg_crm__users') }}
),

employees as (
    select * from {{ ref('stg_hr__employees') }}
),

assignments as (
    select * from {{ ref('int_employee_assignments') }}
),

plan_versions as (
    select * from {{ ref('stg_plans__plan_versions') }}
),

plan_quotas as (
    select * from {{ ref('int_plan_quota_months') }}
),

counted_activities as (
    -- the activity types each plan version pays on, with the quota a component measures them by
    select plan_id, version_number, activity, max(quota_measure) as quota_measure
    from {{ ref('stg_plans__components') }}
    where measure = 'activities'
    group by 1, 2, 3
    union
    select plan_id, version_number, activity, null as quota_measure
    from {{ ref('stg_plans__spifs') }}
    where measure = 'activities'
),

counted_types as (
    select plan_id, version_number, activity, max(quota_measure) as quota_measure
    from counted_activities
    group by 1, 2, 3
),

owned as (
    select
        activities.*,
        users.employee_id,
        employees.pay_currency,
        employees.hire_date,
        employees.termination_date,
        date_trunc('month', activities.activity_date)::date as period_start
    from activities
    inner join users
        on users.user_id = activities.owner_user_id
    inner join employees
        on employees.employee_id = users.employee_id
),

with_assignment as (
    -- The assignment covering the activity date (the latest one if HR overlaps them).
    select distinct on (owned.activity_id)
        owned.*,
        assignments.assignment_id,
        assignments.role,
        assignments.plan_id,
        assignments.manager_employee_id,
        assignments.territory
    from owned
    inner join assignments
        on assignments.employee_id = owned.employee_id
        and {{ in_force_on('owned.activity_date', 'assignments.valid_from', 'assignments.valid_to') }}
    order by owned.activity_id, assignments.valid_from desc
),

counted as (
    select
        with_assignment.*,
        plan_versions.version_number as plan_version_number,
        plan_versions.plan_version,
        counted_types.quota_measure
    from with_assignment
    inner join plan_versions
        on plan_versions.plan_id = with_assignment.plan_id
        and {{ in_force_on(
            'with_assignment.activity_date', 'plan_versions.effective_from', 'plan_versions.effective_to'
        ) }}
    inner join counted_types
        on counted_types.plan_id = with_assignment.plan_id
        and counted_types.version_number = plan_versions.version_number
        and counted_types.activity = with_assignment.activity_type
),

with_quota as (
    -- `exists (subquery)` below is a predicate, not a function call (LT01, LT06)
    select
        counted.*,
        plan_quotas.quota_amount,
        plan_quotas.quota_currency,
        plan_quotas.quota_row_id,
        exists (  -- noqa: LT01,LT06
            select 1 from plan_quotas as on_plan
            where on_plan.employee_id = counted.employee_id
                and on_plan.plan_id = counted.plan_id
                and on_plan.period_start = counted.period_start
        ) as is_on_plan_in_month
    from counted
    left join plan_quotas
        on plan_quotas.employee_id = counted.employee_id
        and plan_quotas.plan_id = counted.plan_id
        and plan_quotas.measure = counted.quota_measure
        and plan_quotas.period_start = counted.period_start
),

assessed as (
    select
        with_quota.*,
        case
            when not {{ employed_on('activity_date') }} then 'not_employed'
            when not is_on_plan_in_month then 'no_quota_on_plan'
        end as non_commissionable_reason
    from with_quota
),

final as (
    select
        {{ dbt.hash("'activity|' || activity_id || '|' || employee_id") }} as credit_id,
        activity_id,
        activity_type as activity,
        opportunity_id as activity_opportunity_id,
        account_id,
        owner_user_id as credited_user_id,
        employee_id,
        activity_date as credit_date,
        period_start,
        to_char(period_start, 'YYYY-MM') as pay_period,
        pay_currency,
        assignment_id,
        role,
        plan_id,
        plan_version_number,
        plan_version,
        manager_employee_id,
        territory,
        quota_measure,
        quota_amount,
        quota_currency,
        quota_row_id,
        non_commissionable_reason is null as is_commissionable,
        non_commissionable_reason,
        activity_row_id,
        source_batch_id,
        source_file,
        source_line
    from assessed
)

select * from final
