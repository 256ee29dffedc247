-- One row per HR assignment (job_history), with the person's employment dates and
-- pay currency: who was on which plan, under which manager and in which territory,
-- from valid_from to valid_to (inclusive; null = still current).

with employees as (
    select * from {{ ref('stg_hr__employees') }}
),

job_history as (
    select * from {{ ref('stg_hr__job_history') }}
),

assignments as (
    select
        job_history.employee_id,
        employees.full_name,
        employees.pay_currency,
        employees.country,
        employees.hire_date,
        employees.termination_date,
        job_history.role,
        job_history.plan_id,
        job_history.manager_employee_id,
        job_history.territory,
        job_history.effective_from as valid_from,
        job_history.effective_to as valid_to,
        job_history.job_history_row_id
    from job_history
    inner join employees
        on employees.employee_id = job_history.employee_id
),

final as (
    select
        {{ dbt.hash("employee_id || '|' || valid_from::text") }} as assignment_id,
        *
    from assignments
)

select * from final
