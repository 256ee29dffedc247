-- People: HR record, CRM login and current (latest) assignment.

with employees as (
    select * from {{ ref('stg_hr__employees') }}
),

assignments as (
    select * from {{ ref('int_employee_assignments') }}
),

users as (
    select * from {{ ref('stg_crm__users') }}
),

latest_assignment as (
    select distinct on (employee_id) *
    from assignments
    order by employee_id, valid_from desc
),

crm_login as (
    select distinct on (employee_id)
        employee_id,
        user_id
    from users
    where employee_id is not null
    order by employee_id, is_active desc nulls last, user_id
),

final as (
    select
        employees.employee_id,
        employees.full_name,
        employees.email,
        employees.country,
        employees.pay_currency,
        employees.hire_date,
        employees.termination_date,
        employees.termination_date is null as is_active,
        crm_login.user_id as crm_user_id,
        latest_assignment.role as "current_role",
        latest_assignment.plan_id as current_plan_id,
        latest_assignment.manager_employee_id as current_manager_employee_id,
        latest_assignment.territory as current_territory,
        latest_assignment.valid_from as current_assignment_from
    from employees
    left join latest_assignment
        on latest_assignment.employee_id = employees.employee_id
    left join crm_login
        on crm_login.employee_id = employees.employee_id
)

select * from final
