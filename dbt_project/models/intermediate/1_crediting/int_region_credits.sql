-- One row per region booking (int_region_bookings: a region's Closed Won deals of one day
-- in one currency) and person measured on that region: a person whose plan version has a
-- component of scope region is credited with every deal whose account is in the region of
-- the territory they cover on the close date (credit_type region, share 100 %, own deals
-- included), as one credit per booking: the booking's deals summed. int_credits decides
-- each credit's eligibility.
-- A plan version whose money depends on each region deal on its own keeps a credit per
-- deal (opportunity_id set, as before bookings): a region component rating each deal on
-- its own amount (rate_table per transaction) or capping each deal (caps.per_deal), and a
-- clawback policy, which takes back what one deal earned.

{{ config(materialized='table') }}

with accounts as (
    select * from {{ ref('stg_crm__accounts') }}
),

users as (
    select * from {{ ref('stg_crm__users') }}
),

assignments as (
    select * from {{ ref('int_employee_assignments') }}
),

plan_versions as (
    select * from {{ ref('stg_plans__plan_versions') }}
),

components as (
    select * from {{ ref('stg_plans__components') }}
),

clawback_policies as (
    select * from {{ ref('stg_plans__clawback_policies') }}
),

region_deals as (
    select * from {{ ref('int_region_deals') }}
),

region_bookings as (
    select * from {{ ref('int_region_bookings') }}
),

region_versions as (
    -- the plan versions with a component measured on the region's total, and whether one
    -- of them pays on each deal on its own
    select
        components.plan_id,
        components.version_number,
        bool_or(components.rate_table_per = 'transaction' or components.cap_per_deal is not null)
        or exists (
            select 1 from clawback_policies
            where clawback_policies.plan_id = components.plan_id
                and clawback_policies.version_number = components.version_number
        ) as credits_each_deal
    from components
    where components.scope = 'region'
    group by components.plan_id, components.version_number
),

plan_stints as (
    {{ plan_stints('assignments', 'plan_versions') }}
),

territory_regions as (
    -- the region of each territory, as the accounts export states it
    select territory, min(region) as region
    from accounts
    where territory is not null and region is not null
    group by territory
),

region_members as (
    -- the stints on a plan version with a region component, and the region they cover
    select distinct
        plan_stints.employee_id,
        territory_regions.region,
        plan_stints.covered_from,
        plan_stints.covered_to,
        region_versions.credits_each_deal
    from plan_stints
    inner join region_versions
        on region_versions.plan_id = plan_stints.plan_id
        and region_versions.version_number = plan_stints.version_number
    inner join territory_regions
        on territory_regions.territory = plan_stints.covered_territory
),

each_deal_members as (
    select * from region_members
    where credits_each_deal
),

deal_people as (
    -- every deal of the region, for a person whose plan version pays each deal on its own
    select distinct
        region_deals.opportunity_id,
        each_deal_members.employee_id
    from each_deal_members
    inner join region_deals
        on region_deals.region = each_deal_members.region
        and {{ in_force_on(
            'region_deals.credit_date', 'each_deal_members.covered_from', 'each_deal_members.covered_to'
        ) }}
),

booking_people as (
    -- every booking of the region, for everyone else measured on it
    select distinct
        region_bookings.region_booking_id,
        region_members.employee_id
    from region_members
    inner join region_bookings
        on region_bookings.region = region_members.region
        and {{ in_force_on('region_bookings.credit_date', 'region_members.covered_from', 'region_members.covered_to') }}
    where not region_members.credits_each_deal
        -- a day a person is credited deal by deal (overlapping job history) is not booked twice
        and not exists (
            select 1 from each_deal_members
            where each_deal_members.employee_id = region_members.employee_id
                and each_deal_members.region = region_members.region
                and {{ in_force_on(
                    'region_bookings.credit_date', 'each_deal_members.covered_from', 'each_deal_members.covered_to'
                ) }}
        )
),

user_of_employee as (
    -- the person's CRM user (the first, should HR map several to one person)
    select distinct on (employee_id) employee_id, user_id
    from users
    where employee_id is not null
    order by employee_id, user_id
),

deal_credits as (
    select
        region_deals.opportunity_id,
        region_deals.region_booking_id,
        null::text as split_id,
        user_of_employee.user_id as credited_user_id,
        100::numeric as split_percent,
        1::numeric as split_share,
        null::bigint as split_row_id,
        region_deals.account_id,
        region_deals.deal_amount,
        region_deals.deal_currency,
        region_deals.credit_date,
        region_deals.period_start,
        region_deals.opportunity_row_id,
        region_deals.source_batch_id,
        region_deals.source_file,
        region_deals.source_line,
        user_of_employee.user_id as known_user_id,
        deal_people.employee_id,
        'region' as credit_type,
        null::text as rollup_from_employee_id
    from deal_people
    inner join region_deals
        on region_deals.opportunity_id = deal_people.opportunity_id
    left join user_of_employee
        on user_of_employee.employee_id = deal_people.employee_id
),

booking_credits as (
    -- a booking is no one deal: no deal, account or source row of its own
    select
        null::text as opportunity_id,
        region_bookings.region_booking_id,
        null::text as split_id,
        user_of_employee.user_id as credited_user_id,
        100::numeric as split_percent,
        1::numeric as split_share,
        null::bigint as split_row_id,
        null::text as account_id,
        region_bookings.deal_amount,
        region_bookings.deal_currency,
        region_bookings.credit_date,
        region_bookings.period_start,
        null::bigint as opportunity_row_id,
        null::text as source_batch_id,
        null::text as source_file,
        null::integer as source_line,
        user_of_employee.user_id as known_user_id,
        booking_people.employee_id,
        'region' as credit_type,
        null::text as rollup_from_employee_id
    from booking_people
    inner join region_bookings
        on region_bookings.region_booking_id = booking_people.region_booking_id
    left join user_of_employee
        on user_of_employee.employee_id = booking_people.employee_id
),

final as (
    select * from deal_credits
    union all
    select * from booking_credits
)

select * from final
