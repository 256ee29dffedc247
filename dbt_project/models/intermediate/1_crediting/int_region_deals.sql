-- One row per Closed Won deal whose account is in a region: the region and the region
-- booking the deal is summed into (int_region_bookings: the region's deals of one day in
-- one currency). The evidence behind a region credit: which deals make up its booking.

{{ config(materialized='table') }}

with opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
),

accounts as (
    select * from {{ ref('stg_crm__accounts') }}
),

final as (
    -- a deal is in the region its account is in (none without an account or a region)
    select
        {{ region_booking_key('accounts.region', 'opportunities.close_date', 'opportunities.currency') }}
            as region_booking_id,
        accounts.region,
        opportunities.opportunity_id,
        {{ credit_deal_columns('opportunities') }}
    from opportunities
    inner join accounts
        on accounts.account_id = opportunities.account_id
    where opportunities.is_closed_won
        and accounts.region is not null
)

select * from final
