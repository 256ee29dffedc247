-- One row per component of a published plan version, with the version's dates and the
-- plan's currency, and whether the commission engine computes it yet. A component the
-- engine does not compute says why (computed_gap); assert_assigned_plans_are_computed
-- stops the run when anyone with credit is on such a plan, so nobody is underpaid in
-- silence.

with plans as (
    select * from {{ ref('stg_plans__plans') }}
),

versions as (
    select * from {{ ref('stg_plans__plan_versions') }}
),

components as (
    select * from {{ ref('stg_plans__components') }}
),

overlays as (
    select distinct plan_id, version_number, component_id from {{ ref('stg_plans__credit_overlays') }}
),

joined as (
    select
        components.*,
        versions.plan_version,
        versions.effective_from,
        versions.effective_to,
        versions.target_incentive,
        versions.prorate_hire,
        versions.prorate_termination,
        versions.prorate_unpaid_leave,
        overlays.component_id is not null as has_credit_overlays,
        plans.plan_name,
        plans.plan_currency,
        plans.fx_rate_date
    from components
    inner join versions
        on versions.plan_id = components.plan_id
        and versions.version_number = components.version_number
    inner join plans
        on plans.plan_id = components.plan_id
    left join overlays
        on overlays.plan_id = components.plan_id
        and overlays.version_number = components.version_number
        and overlays.component_id = components.component_id
),

assessed as (
    select
        joined.*,
        case
            -- money measures of a deal or its billing, units (int_measure_credits), completed
            -- activities (int_activity_credits) and MBO scores on a payout curve (int_commission_mbo)
            when measure not in {{ computed_deal_measures() }} and measure not in ('mbo_score', 'activities')
                then 'measure ' || measure
            when measure = 'activities' and scope <> 'individual' then 'activities with scope ' || scope
            when measure = 'mbo_score' and rate_table_type <> 'curve'
                then 'mbo_score on a ' || rate_table_type || ' table'
            when measure = 'mbo_score' and target_incentive is null then 'mbo_score without target_incentive'
            when measure = 'mbo_score' then null
            -- a team is the manager's reporting line, credited by roll-up (int_credits)
            when scope = 'team' and not (coalesce(credit_manager_rollup, false) and not coalesce(credit_owner, false))
                then 'scope team without manager_rollup crediting alone'
            -- a region is every deal of the region the person covers (int_credits)
            when scope = 'region' and measure not in {{ computed_deal_measures() }} then 'scope region on ' || measure
            when scope not in ('individual', 'team', 'region') then 'scope ' || scope
            -- credits are eligible on a monthly bookings quota (int_credits); units and
            -- activities are counted against a quota in units (HR quotas.measure = quota_measure)
            -- a region component is measured against the region's quota, its own quota_measure
            when quota_measure <> 'bookings' and measure not in {{ count_measures() }} and scope <> 'region'
                then 'quota_measure ' || quota_measure
            -- a true-up re-rates the window's credits together, not deal by deal: a deal's
            -- cap would need each deal's share of every later true-up
            when cumulative_true_up and cap_per_deal is not null then 'caps.per_deal with cumulative_true_up'
            -- an activity is credited to its owner, with no crediting block
            when measure <> 'activities' and scope <> 'region' and not coalesce(credit_owner, false)
                and not coalesce(credit_manager_rollup, false) and not has_credit_overlays
                then 'crediting without owner, overlay or manager_rollup credit'
            -- an overlay credit is the whole deal for one person (int_credits)
            when has_credit_overlays and scope <> 'individual' then 'crediting overlays with scope ' || scope
            when has_credit_overlays and coalesce(credit_manager_rollup, false)
                then 'crediting overlays with manager_rollup'
        end as computed_gap
    from joined
),

final as (
    select
        plan_id,
        version_number,
        plan_version,
        plan_name,
        plan_currency,
        fx_rate_date,
        effective_from,
        effective_to,
        component_id,
        component_number,
        component_name,
        measure,
        activity,
        quota_measure,
        payment_trigger,
        scope,
        weight,
        target_incentive,
        prorate_hire,
        prorate_termination,
        prorate_unpaid_leave,
        quota_period,
        attainment_basis,
        cumulative_true_up,
        rate_table_type,
        rate_table_per,
        flat_rate,
        flat_amount_per_unit,
        threshold_attainment,
        cap_attainment,
        cap_per_deal,
        cap_per_period,
        cap_per_year,
        credit_owner,
        credit_revenue_splits,
        credit_manager_rollup,
        has_credit_overlays,
        computed_gap is null as is_computed,
        computed_gap
    from assessed
)

select * from final
