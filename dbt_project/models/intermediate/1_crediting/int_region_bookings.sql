-- One row per region booking: the Closed Won deals whose account is in one region, closed
-- on one day in one currency (int_region_deals), summed. Everything a region credit's
-- money depends on at the close (who covers the region that day, their plan version, quota
-- and employment, the FX rate of the deal currency that day) is the same for every deal of
-- a booking, so a person measured on the region is credited with each booking once
-- (int_region_credits) instead of with each deal: region credits grow with the people
-- measured on a region times the days with deals, not times the deals.

{{ config(materialized='table') }}

with region_deals as (
    select * from {{ ref('int_region_deals') }}
),

final as (
    select
        region_booking_id,
        region,
        credit_date,
        period_start,
        deal_currency,
        sum(deal_amount) as deal_amount,
        count(*) as deal_count
    from region_deals
    group by region_booking_id, region, credit_date, period_start, deal_currency
)

select * from final
