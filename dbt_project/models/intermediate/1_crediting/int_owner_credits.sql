-- One row per Closed Won deal and person it is credited to as its owner: each Revenue
-- split owner by split_percent, or, on a deal with no Revenue split, its owner 100 %
-- (credit_type revenue_split or owner). The person is the split or deal owner's HR
-- record through their CRM user (null when the user has none: int_credits holds such a
-- credit as unknown_user). The columns are those every crediting job emits for
-- int_credits, which decides each credit's eligibility once.

{{ config(materialized='table') }}

with opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
),

splits as (
    select * from {{ ref('stg_crm__opportunity_splits') }}
),

users as (
    select * from {{ ref('stg_crm__users') }}
),

won_deals as (
    select * from opportunities
    where is_closed_won
),

revenue_splits as (
    select * from splits
    where is_revenue_split
),

split_credits as (
    select
        won_deals.opportunity_id,
        revenue_splits.split_id,
        revenue_splits.split_owner_user_id as credited_user_id,
        revenue_splits.split_percent,
        revenue_splits.split_row_id
    from won_deals
    inner join revenue_splits
        on revenue_splits.opportunity_id = won_deals.opportunity_id
),

owner_credits as (
    select
        won_deals.opportunity_id,
        null::text as split_id,
        won_deals.owner_user_id as credited_user_id,
        100::numeric as split_percent,
        null::bigint as split_row_id
    from won_deals
    where not exists (
        select 1 from revenue_splits
        where revenue_splits.opportunity_id = won_deals.opportunity_id
    )
),

credit_shares as (
    select * from split_credits
    union all
    select * from owner_credits
),

final as (
    select
        credit_shares.opportunity_id,
        null::text as region_booking_id,
        credit_shares.split_id,
        credit_shares.credited_user_id,
        credit_shares.split_percent,
        -- times 0.01 rather than / 100: numeric multiplication is exact.
        credit_shares.split_percent * 0.01 as split_share,
        credit_shares.split_row_id,
        {{ credit_deal_columns('won_deals') }},
        users.user_id as known_user_id,
        users.employee_id,
        case when credit_shares.split_id is null then 'owner' else 'revenue_split' end as credit_type,
        null::text as rollup_from_employee_id
    from credit_shares
    inner join won_deals
        on won_deals.opportunity_id = credit_shares.opportunity_id
    left join users
        on users.user_id = credit_shares.credited_user_id
)

select * from final
