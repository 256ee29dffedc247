-- Attainment by rep, plan and month, with payout and the rep's team, manager,
-- territory and region (of the assignment behind the month's last credit).

with attainment as (
    select * from {{ ref('int_attainment') }}
),

payouts as (
    select * from {{ ref('fct_payouts') }}
),

employees as (
    select * from {{ ref('dim_employees') }}
),

accounts as (
    select * from {{ ref('stg_crm__accounts') }}
),

territory_regions as (
    select distinct on (territory)
        territory,
        region
    from accounts
    where territory is not null
    order by territory, region
),

final as (
    select
        attainment.employee_id,
        employees.full_name as employee_name,
        attainment.pay_period,
        attainment.period_start,
        attainment.plan_id,
        attainment.role,
        attainment.credit_currency as currency,
        attainment.credited_bookings,
        attainment.quota_amount as quota,
        attainment.attainment,
        payouts.payout_amount,
        attainment.pay_currency as payout_currency,
        attainment.credited_bookings_usd,
        attainment.manager_employee_id,
        managers.full_name as manager_name,
        attainment.territory,
        coalesce(territory_regions.region, split_part(attainment.territory, '-', 1)) as region
    from attainment
    inner join payouts
        on payouts.employee_id = attainment.employee_id
        and payouts.plan_id = attainment.plan_id
        and payouts.period_start = attainment.period_start
    left join employees
        on employees.employee_id = attainment.employee_id
    left join employees as managers
        on managers.employee_id = attainment.manager_employee_id
    left join territory_regions
        on territory_regions.territory = attainment.territory
)

select * from final
