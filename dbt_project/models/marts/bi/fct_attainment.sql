-- Attainment by rep, plan, component and month, for BI: each component window's
-- attainment at the end of the month (int_component_attainment), the one the rep's lines
-- were rated on, with what the component paid in the month and the rep's team, manager,
-- territory and region (of the assignment behind the month's last credit on it).

with attainment as (
    select * from {{ ref('int_component_attainment') }}
),

lines as (
    select * from {{ ref('fct_commission_lines') }}
),

employees as (
    select * from {{ ref('dim_employees') }}
),

territory_regions as (
    select * from {{ ref('int_territory_regions') }}
),

component_payouts as (
    -- every line of the month on the component: its commission, true-up, caps and bonus
    select
        employee_id,
        plan_id,
        plan_version_number,
        component_id,
        period_start,
        sum(commission_amount) as component_payout,
        count(*) as component_line_count
    from lines
    where component_id is not null
    group by employee_id, plan_id, plan_version_number, component_id, period_start
),

final as (
    select
        attainment.employee_id,
        employees.full_name as employee_name,
        attainment.pay_period,
        attainment.period_start,
        attainment.plan_id,
        attainment.plan_version_number,
        attainment.component_id,
        attainment.component_name,
        attainment.measure,
        attainment.quota_measure,
        attainment.quota_period,
        attainment.attainment_basis,
        attainment.window_start,
        attainment.window_end,
        attainment.role,
        attainment.credit_currency as currency,
        trim_scale(attainment.month_measure) as month_measure,
        trim_scale(attainment.measure_to_date) as measure_to_date,
        trim_scale(attainment.quota_amount) as quota,
        trim_scale(attainment.attainment) as attainment,
        trim_scale(component_payouts.component_payout) as component_payout,
        attainment.pay_currency as payout_currency,
        component_payouts.component_line_count,
        attainment.manager_employee_id,
        managers.full_name as manager_name,
        attainment.territory,
        coalesce(territory_regions.region, split_part(attainment.territory, '-', 1)) as region
    from attainment
    left join component_payouts
        using (employee_id, plan_id, plan_version_number, component_id, period_start)
    left join employees
        on employees.employee_id = attainment.employee_id
    left join employees as managers
        on managers.employee_id = attainment.manager_employee_id
    left join territory_regions
        on territory_regions.territory = attainment.territory
)

select * from final
