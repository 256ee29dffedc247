-- One row per Closed Won deal and specialist credited with it as an overlay: a person whose
-- plan version on the close date has a component crediting overlays is credited with the
-- whole deal (credit_type overlay, share 100 %) when the deal meets every overlay rule of
-- that component (a line item of one of its product families; an account in one of its
-- territories, by default the ones the specialist covers that day) and the specialist is
-- not already credited on it as owner or split owner (int_owner_credits). int_credits
-- decides each credit's eligibility.

{{ config(materialized='table') }}

with opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
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

overlay_rules as (
    select * from {{ ref('stg_plans__credit_overlays') }}
),

accounts as (
    select * from {{ ref('stg_crm__accounts') }}
),

line_items as (
    select * from {{ ref('stg_crm__opportunity_line_items') }}
),

owner_credits as (
    select * from {{ ref('int_owner_credits') }}
),

won_deals as (
    select * from opportunities
    where is_closed_won
),

plan_stints as (
    -- each assignment on a published plan version, from the first to the last day both hold
    {{ plan_stints('assignments', 'plan_versions') }}
),

specialists as (
    -- the stints on a plan version with a component crediting overlays
    select distinct
        plan_stints.employee_id,
        plan_stints.covered_territory,
        plan_stints.covered_from,
        plan_stints.covered_to,
        overlay_components.plan_id,
        overlay_components.version_number,
        overlay_components.component_id
    from plan_stints
    inner join (select distinct plan_id, version_number, component_id from overlay_rules) as overlay_components
        on overlay_components.plan_id = plan_stints.plan_id
        and overlay_components.version_number = plan_stints.version_number
),

deal_families as (
    select opportunity_id, array_agg(distinct product_family) as product_families
    from line_items
    group by 1
),

deal_facts as (
    -- what the rules look at: the deal's product families and its account's territory
    select
        won_deals.opportunity_id,
        won_deals.close_date,
        deal_accounts.territory as deal_territory,
        coalesce(deal_families.product_families, array[]::text[]) as product_families
    from won_deals
    left join deal_families
        on deal_families.opportunity_id = won_deals.opportunity_id
    left join accounts as deal_accounts
        on deal_accounts.account_id = won_deals.account_id
),

direct_keys as materialized (
    -- who is credited on each deal already, once each: the anti-join below hashes this
    -- (on the owner credits themselves a misestimate made it spill in a thousand batches)
    select distinct opportunity_id, employee_id
    from owner_credits
    where employee_id is not null
),

overlay_people as (
    -- a specialist is credited when the deal meets every rule of one of their overlay
    -- components and they are not credited on it already
    select distinct
        deal_facts.opportunity_id,
        specialists.employee_id
    from specialists
    inner join deal_facts
        on {{ in_force_on('deal_facts.close_date', 'specialists.covered_from', 'specialists.covered_to') }}
    where not exists (
        select 1 from overlay_rules
        where overlay_rules.plan_id = specialists.plan_id
            and overlay_rules.version_number = specialists.version_number
            and overlay_rules.component_id = specialists.component_id
            and not coalesce(
                case overlay_rules.overlay_by
                    when 'product_family' then deal_facts.product_families && overlay_rules.overlay_values
                    when 'territory'
                        then deal_facts.deal_territory
                            = any(coalesce(overlay_rules.overlay_values, array[specialists.covered_territory]))
                end,
                false
            )
    )
        and not exists (
            select 1 from direct_keys
            where direct_keys.opportunity_id = deal_facts.opportunity_id
                and direct_keys.employee_id = specialists.employee_id
        )
),

user_of_employee as (
    -- the person's CRM user (the first, should HR map several to one person)
    select distinct on (employee_id) employee_id, user_id
    from users
    where employee_id is not null
    order by employee_id, user_id
),

final as (
    select
        won_deals.opportunity_id,
        null::text as region_booking_id,
        null::text as split_id,
        user_of_employee.user_id as credited_user_id,
        100::numeric as split_percent,
        1::numeric as split_share,
        null::bigint as split_row_id,
        {{ credit_deal_columns('won_deals') }},
        user_of_employee.user_id as known_user_id,
        overlay_people.employee_id,
        'overlay' as credit_type,
        null::text as rollup_from_employee_id
    from overlay_people
    inner join won_deals
        on won_deals.opportunity_id = overlay_people.opportunity_id
    left join user_of_employee
        on user_of_employee.employee_id = overlay_people.employee_id
)

select * from final
