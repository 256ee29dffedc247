-- One row per credit: a Closed Won deal credited to one person. A deal credits each
-- of its Revenue split owners by split_percent; a deal with no Revenue split credits
-- its owner 100% (credit_type owner or revenue_split). Each of those credits also rolls
-- up the reporting line as of the close date (job history managers, manager of manager
-- and so on): every manager above the credited person whose plan version in force that
-- day has a manager_rollup component gets a credit of the same share (credit_type
-- manager_rollup, rollup_from_employee_id = the person credited), so a manager's team
-- is the sum of the team's credits. A specialist whose plan version on the close date
-- has a component crediting overlays is credited with the whole deal (credit_type
-- overlay, share 100 %) when the deal meets every overlay rule of that component (a
-- line item of one of its product families; an account in one of its territories, by
-- default the ones the specialist covers that day) and the specialist is not already
-- credited on it as owner or split owner. A person whose plan version has a component
-- measured on the region (scope region) is credited with every deal whose account is in
-- the region of the territory they cover (credit_type region, share 100 %, own deals
-- included). The credit is converted at the close date to the currency its plan measures
-- credits in (credit_currency: the person's pay currency, or the plan currency when the
-- plan says credit_currency: plan_currency); what it earns converts from there to the pay
-- currency at payout_fx_rate (1 in the pay currency; at the close date or the month's last
-- day, the plan's fx_rate_date). The quota must be in the credit currency. Each credit is
-- checked for eligibility. Non-commissionable credits
-- stay here with the reason (they are listed in ops.ops_non_commissionable_credits),
-- never dropped.

with recursive opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
),

splits as (
    select * from {{ ref('stg_crm__opportunity_splits') }}
),

users as (
    select * from {{ ref('stg_crm__users') }}
),

employees as (
    select * from {{ ref('stg_hr__employees') }}
),

assignments as (
    select * from {{ ref('int_employee_assignments') }}
),

quotas as (
    select * from {{ ref('stg_hr__quotas') }}
    where measure = 'bookings'
),

fx_rates as (
    select * from {{ ref('int_fx_rates') }}
),

plan_versions as (
    select * from {{ ref('stg_plans__plan_versions') }}
),

plans as (
    select * from {{ ref('stg_plans__plans') }}
),

rollup_versions as (
    -- the plan versions that credit managers with their reporting line
    select distinct plan_id, version_number
    from {{ ref('stg_plans__components') }}
    where credit_manager_rollup
),

region_versions as (
    -- the plan versions with a component measured on the region's total
    select distinct plan_id, version_number
    from {{ ref('stg_plans__components') }}
    where scope = 'region'
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

credits as (
    select
        credit_shares.opportunity_id,
        credit_shares.split_id,
        credit_shares.credited_user_id,
        credit_shares.split_percent,
        -- times 0.01 rather than / 100: numeric multiplication is exact.
        credit_shares.split_percent * 0.01 as split_share,
        credit_shares.split_row_id,
        {{ credit_deal_columns('won_deals') }}
    from credit_shares
    inner join won_deals
        on won_deals.opportunity_id = credit_shares.opportunity_id
),

direct_people as (
    -- Who each credit is for: the split or deal owner's HR record, through their CRM user.
    select
        credits.opportunity_id,
        credits.split_id,
        users.user_id as known_user_id,
        users.employee_id,
        case when credits.split_id is null then 'owner' else 'revenue_split' end as credit_type,
        null::text as rollup_from_employee_id
    from credits
    left join users
        on users.user_id = credits.credited_user_id
),

reporting_line as (
    -- Each credited person (depth 0) and every manager above them on the credit date,
    -- nearest first; at most 20 levels, so a loop in HR data ends.
    select
        credits.opportunity_id,
        credits.split_id,
        credits.credit_date,
        direct_people.employee_id as line_employee_id,
        0 as depth
    from direct_people
    inner join credits
        on credits.opportunity_id = direct_people.opportunity_id
        and credits.split_id is not distinct from direct_people.split_id
    where direct_people.employee_id is not null
    union all
    select
        reporting_line.opportunity_id,
        reporting_line.split_id,
        reporting_line.credit_date,
        positions.manager_employee_id,
        reporting_line.depth + 1 as depth
    from reporting_line
    inner join assignments as positions
        on positions.employee_id = reporting_line.line_employee_id
        and {{ in_force_on('reporting_line.credit_date', 'positions.valid_from', 'positions.valid_to') }}
    where positions.manager_employee_id is not null
        and reporting_line.depth < 20
),

rollup_people as (
    -- The credit again for each manager of the line (kept below only when the manager's
    -- plan version that day has a roll-up component).
    select distinct
        reporting_line.opportunity_id,
        reporting_line.split_id,
        direct_people.known_user_id,
        reporting_line.line_employee_id as employee_id,
        'manager_rollup' as credit_type,
        direct_people.employee_id as rollup_from_employee_id
    from reporting_line
    inner join direct_people
        on direct_people.opportunity_id = reporting_line.opportunity_id
        and direct_people.split_id is not distinct from reporting_line.split_id
    where reporting_line.depth >= 1
),

credited_people as (
    select * from direct_people
    union all
    select * from rollup_people
),

plan_stints as (
    -- each assignment on a published plan version, from the first to the last day both hold
    select
        assignments.employee_id,
        assignments.territory as covered_territory,
        plan_versions.plan_id,
        plan_versions.version_number,
        greatest(assignments.valid_from, plan_versions.effective_from) as covered_from,
        case
            when assignments.valid_to is null then plan_versions.effective_to
            when plan_versions.effective_to is null then assignments.valid_to
            else least(assignments.valid_to, plan_versions.effective_to)
        end as covered_to
    from assignments
    inner join plan_versions
        on plan_versions.plan_id = assignments.plan_id
        and (assignments.valid_to is null or plan_versions.effective_from <= assignments.valid_to)
        and (plan_versions.effective_to is null or plan_versions.effective_to >= assignments.valid_from)
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
        plan_stints.covered_to
    from plan_stints
    inner join region_versions
        on region_versions.plan_id = plan_stints.plan_id
        and region_versions.version_number = plan_stints.version_number
    inner join territory_regions
        on territory_regions.territory = plan_stints.covered_territory
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
        deal_accounts.region as deal_region,
        coalesce(deal_families.product_families, array[]::text[]) as product_families
    from won_deals
    left join deal_families
        on deal_families.opportunity_id = won_deals.opportunity_id
    left join accounts as deal_accounts
        on deal_accounts.account_id = won_deals.account_id
),

direct_keys as materialized (
    -- who is credited on each deal already, once each: the anti-join below hashes this
    -- (on direct_people itself a misestimate made it spill in a thousand batches: 40 s)
    select distinct opportunity_id, employee_id
    from direct_people
    where employee_id is not null
),

overlay_people as (
    -- a specialist is credited when the deal meets every rule of one of their overlay
    -- components and they are not credited on it already
    select distinct
        deal_facts.opportunity_id,
        specialists.employee_id,
        'overlay' as credit_type
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

region_people as (
    -- every deal of the region, for each person measured on the region's total
    select distinct
        deal_facts.opportunity_id,
        region_members.employee_id,
        'region' as credit_type
    from region_members
    inner join deal_facts
        on deal_facts.deal_region = region_members.region
        and {{ in_force_on('deal_facts.close_date', 'region_members.covered_from', 'region_members.covered_to') }}
),

whole_deal_credits as (
    -- overlay and region credits: the whole deal, for the person (their CRM user, when
    -- they have one)
    select distinct on (whole_deal_people.opportunity_id, whole_deal_people.employee_id, whole_deal_people.credit_type)
        won_deals.opportunity_id,
        null::text as split_id,
        users.user_id as credited_user_id,
        100::numeric as split_percent,
        1::numeric as split_share,
        null::bigint as split_row_id,
        {{ credit_deal_columns('won_deals') }},
        users.user_id as known_user_id,
        whole_deal_people.employee_id,
        whole_deal_people.credit_type,
        null::text as rollup_from_employee_id
    from (
        select * from overlay_people
        union all
        select * from region_people
    ) as whole_deal_people
    inner join won_deals
        on won_deals.opportunity_id = whole_deal_people.opportunity_id
    left join users
        on users.employee_id = whole_deal_people.employee_id
    order by
        whole_deal_people.opportunity_id, whole_deal_people.employee_id, whole_deal_people.credit_type, users.user_id
),

credits_with_people as (
    select
        credits.*,
        credited_people.known_user_id,
        credited_people.employee_id,
        credited_people.credit_type,
        credited_people.rollup_from_employee_id
    from credits
    inner join credited_people
        on credited_people.opportunity_id = credits.opportunity_id
        and credited_people.split_id is not distinct from credits.split_id
    union all
    select * from whole_deal_credits
),

with_person as (
    select
        credits_with_people.opportunity_id,
        credits_with_people.split_id,
        credits_with_people.credited_user_id,
        credits_with_people.split_percent,
        credits_with_people.split_share,
        credits_with_people.split_row_id,
        credits_with_people.account_id,
        credits_with_people.deal_amount,
        credits_with_people.deal_currency,
        credits_with_people.credit_date,
        credits_with_people.period_start,
        credits_with_people.opportunity_row_id,
        credits_with_people.source_batch_id,
        credits_with_people.source_file,
        credits_with_people.source_line,
        credits_with_people.known_user_id,
        employees.employee_id,
        employees.pay_currency,
        employees.hire_date,
        employees.termination_date,
        credits_with_people.credit_type,
        credits_with_people.rollup_from_employee_id
    from credits_with_people
    left join employees
        on employees.employee_id = credits_with_people.employee_id
),

with_assignment as (
    -- The assignment covering the credit date (the latest one if HR overlaps them).
    select distinct on (
        with_person.opportunity_id, with_person.split_id, with_person.employee_id, with_person.credit_type
    )
        with_person.*,
        assignments.assignment_id,
        assignments.role,
        assignments.plan_id,
        assignments.manager_employee_id,
        assignments.territory
    from with_person
    left join assignments
        on assignments.employee_id = with_person.employee_id
        and {{ in_force_on('with_person.credit_date', 'assignments.valid_from', 'assignments.valid_to') }}
    order by
        with_person.opportunity_id, with_person.split_id, with_person.employee_id, with_person.credit_type,
        assignments.valid_from desc nulls last
),

with_plan_version as (
    -- The published version of the person's plan in force on the credit date, and the
    -- currency the plan measures credits in (the pay currency without a plan).
    select
        with_assignment.*,
        plan_versions.version_number as plan_version_number,
        plan_versions.plan_version,
        plans.plan_currency,
        case
            when plans.credit_currency = 'plan_currency' then plans.plan_currency
            else with_assignment.pay_currency
        end as credit_currency,
        {{ plan_fx_date('plans.fx_rate_date', 'with_assignment.credit_date') }} as payout_fx_date
    from with_assignment
    left join plan_versions
        on plan_versions.plan_id = with_assignment.plan_id
        and {{ in_force_on(
            'with_assignment.credit_date', 'plan_versions.effective_from', 'plan_versions.effective_to'
        ) }}
    left join plans
        on plans.plan_id = with_assignment.plan_id
),

on_rollup_plans as (
    -- a manager is credited with the line only on a plan version that rolls up
    select with_plan_version.*
    from with_plan_version
    where with_plan_version.credit_type <> 'manager_rollup'
        or exists (
            select 1 from rollup_versions
            where rollup_versions.plan_id = with_plan_version.plan_id
                and rollup_versions.version_number = with_plan_version.plan_version_number
        )
),

with_quota as (
    select
        on_rollup_plans.*,
        quotas.quota_amount,
        quotas.quota_currency,
        quotas.quota_row_id
    from on_rollup_plans
    left join quotas
        on quotas.employee_id = on_rollup_plans.employee_id
        and quotas.period_start = on_rollup_plans.period_start
),

converted as (
    -- the deal into the credit currency on the credit date; what it earns into the pay
    -- currency on the payout FX date
    select
        with_quota.*,
        case when with_quota.deal_currency = 'USD' then 1::numeric else credit_fx_from.usd_rate end as deal_usd_rate,
        {{ fx_rate_between('credit_fx', 'with_quota.deal_currency', 'with_quota.credit_currency') }} as fx_rate,
        {{ fx_rate_between('payout_fx', 'with_quota.credit_currency', 'with_quota.pay_currency') }} as payout_fx_rate
    from with_quota
    {{ fx_rate_joins('credit_fx', 'with_quota.deal_currency', 'with_quota.credit_currency', 'with_quota.credit_date') }}
    {{ fx_rate_joins(
        'payout_fx', 'with_quota.credit_currency', 'with_quota.pay_currency', 'with_quota.payout_fx_date'
    ) }}
),

assessed as (
    select
        converted.*,
        case
            when known_user_id is null or employee_id is null then 'unknown_user'
            when not {{ employed_on('credit_date') }} or hire_date is null then 'not_employed'
            when plan_id is null then 'no_plan'
            when plan_version_number is null then 'no_plan_version'
            when quota_amount is null then 'no_quota'
            when (quota_currency is distinct from credit_currency) then 'quota_currency_mismatch'
            when fx_rate is null or payout_fx_rate is null then 'missing_fx_rate'
        end as non_commissionable_reason
    from converted
),

final as (
    select
        case
            when credit_type = 'manager_rollup'
                then {{ dbt.hash("opportunity_id || '|' || coalesce(split_id, 'owner') || '|rollup|' || employee_id") }}
            when credit_type in ('overlay', 'region')
                then {{ dbt.hash("opportunity_id || '|' || credit_type || '|' || employee_id") }}
            else {{ dbt.hash("opportunity_id || '|' || coalesce(split_id, 'owner')") }}
        end as credit_id,
        opportunity_id,
        split_id,
        credit_type,
        rollup_from_employee_id,
        account_id,
        credited_user_id,
        employee_id,
        credit_date,
        period_start,
        to_char(period_start, 'YYYY-MM') as pay_period,
        deal_amount,
        deal_currency,
        split_percent,
        -- trim_scale drops trailing zeros only (100.0000 -> 100): same value, stable text.
        trim_scale(split_share) as split_share,
        pay_currency,
        plan_currency,
        credit_currency,
        trim_scale(fx_rate) as fx_rate,
        trim_scale(deal_amount * split_share * fx_rate) as credit_amount,
        trim_scale(payout_fx_rate) as payout_fx_rate,
        payout_fx_date,
        trim_scale(deal_amount * split_share * deal_usd_rate) as credit_amount_usd,
        trim_scale(deal_usd_rate) as deal_usd_rate,
        assignment_id,
        role,
        plan_id,
        plan_version_number,
        plan_version,
        manager_employee_id,
        territory,
        quota_amount,
        quota_currency,
        non_commissionable_reason is null as is_commissionable,
        non_commissionable_reason,
        opportunity_row_id,
        split_row_id,
        quota_row_id,
        source_batch_id,
        source_file,
        source_line
    from assessed
)

select * from final
