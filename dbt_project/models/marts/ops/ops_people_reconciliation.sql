-- HR against quotas and the CRM: people one system knows and the other does not, a row
-- per finding, with the source row behind it.
--   quota_without_hr_record     a quota row for an employee id HR does not have: the
--                               quota counts for nobody;
--   on_plan_without_quota       someone HR puts on a plan who has no quota row in any
--                               month of it: their attainment cannot be measured;
--   crm_user_without_hr_record  a CRM user whose employee number HR does not have: their
--                               deals credit nobody (ops_non_commissionable_credits lists
--                               those credits as unknown_user).
-- Nothing here changes what is paid.

with quotas as (
    select * from {{ ref('stg_hr__quotas') }}
),

employees as (
    select * from {{ ref('stg_hr__employees') }}
),

users as (
    select * from {{ ref('stg_crm__users') }}
),

assignments as (
    select * from {{ ref('int_employee_assignments') }}
    where plan_id is not null
),

quota_without_hr_record as (
    select
        'quota_without_hr_record' as finding,
        quotas.employee_id,
        null::text as user_id,
        null::text as plan_id,
        'quota ' || quotas.measure || ' ' || to_char(quotas.period_start, 'YYYY-MM') as detail,
        'hr/quotas' as source_table,
        quotas.quota_row_id as source_row_id
    from quotas
    where not exists (
        select from employees
        where employees.employee_id = quotas.employee_id
    )
),

on_plan_without_quota as (
    select distinct on (assignments.employee_id, assignments.plan_id)
        'on_plan_without_quota' as finding,
        assignments.employee_id,
        null::text as user_id,
        assignments.plan_id,
        'on ' || assignments.plan_id || ' from ' || to_char(assignments.valid_from, 'YYYY-MM-DD') as detail,
        'hr/job_history' as source_table,
        null::bigint as source_row_id
    from assignments
    where not exists (
        select from quotas
        where quotas.employee_id = assignments.employee_id
            and quotas.period_end >= assignments.valid_from
            and (assignments.valid_to is null or quotas.period_start <= assignments.valid_to)
    )
    order by assignments.employee_id, assignments.plan_id, assignments.valid_from
),

crm_user_without_hr_record as (
    select
        'crm_user_without_hr_record' as finding,
        users.employee_id,
        users.user_id,
        null::text as plan_id,
        'CRM user ' || users.user_id
        || coalesce(' with employee number ' || users.employee_id, ' without an employee number') as detail,
        'crm/users' as source_table,
        users.user_row_id as source_row_id
    from users
    where users.employee_id is null
        or not exists (
            select from employees
            where employees.employee_id = users.employee_id
        )
),

final as (
    select * from quota_without_hr_record
    union all
    select * from on_plan_without_quota
    union all
    select * from crm_user_without_hr_record
)

select * from final
