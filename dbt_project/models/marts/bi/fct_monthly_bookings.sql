-- Bookings against the monthly quota by rep, plan and month, for BI, with the rep's role,
-- manager, territory and region (of the assignment behind the month's last credit); the
-- names are bi.fct_attainment's. A volume figure: bookings_to_monthly_quota is not
-- attainment (bi.fct_attainment is).

with monthly_bookings as (
    select * from {{ ref('int_monthly_bookings') }}
),

territory_regions as (
    select * from {{ ref('int_territory_regions') }}
),

final as (
    select
        monthly_bookings.employee_id,
        monthly_bookings.pay_period,
        monthly_bookings.period_start,
        monthly_bookings.plan_id,
        monthly_bookings.role,
        monthly_bookings.credit_currency as currency,
        monthly_bookings.credited_bookings,
        monthly_bookings.quota_amount as monthly_quota,
        monthly_bookings.bookings_to_monthly_quota,
        monthly_bookings.credited_bookings_usd,
        monthly_bookings.credit_count,
        monthly_bookings.manager_employee_id,
        monthly_bookings.territory,
        coalesce(territory_regions.region, split_part(monthly_bookings.territory, '-', 1)) as region
    from monthly_bookings
    left join territory_regions
        on territory_regions.territory = monthly_bookings.territory
)

select * from final
