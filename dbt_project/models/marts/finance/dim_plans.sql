-- One row per component of every published plan version, with its rate table written
-- out, for statements and BI. Components the engine does not compute yet are listed
-- too, with the gap.

with components as (
    select * from {{ ref('int_plan_components') }}
),

plans as (
    select * from {{ ref('stg_plans__plans') }}
),

bands as (
    select * from {{ ref('int_plan_rate_bands') }}
),

rate_schedules as (
    select
        plan_id,
        version_number,
        component_id,
        count(*) filter (where not bands.is_above_cap) as band_count,
        string_agg(
            bands.band_label || ' [' || trim_scale(bands.attainment_from)::text || ', '
            || coalesce(trim_scale(bands.attainment_to)::text, 'open') || ') '
            || case
                -- a curve segment pays a share of target incentive, from payout_from to payout_to
                when bands.rate is null
                    then trim_scale(bands.payout_from * 100)::text || '% -> ' || trim_scale(bands.payout_to * 100)::text
                        || '% of target'
                -- a count (units, activities) earns an amount per unit in the plan currency
                when components.measure in {{ count_measures() }}
                    then trim_scale(bands.rate)::text || ' ' || components.plan_currency || ' per unit'
                else trim_scale(bands.rate * 100)::text || '%'
            end,
            '; ' order by bands.band_number
        ) as rate_schedule
    from bands
    inner join components using (plan_id, version_number, component_id)
    group by plan_id, version_number, component_id
),

final as (
    select
        components.plan_id,
        components.version_number,
        components.plan_version,
        components.component_id,
        components.plan_name,
        components.component_name,
        components.plan_currency,
        components.effective_from,
        components.effective_to,
        components.measure,
        components.quota_measure,
        components.payment_trigger,
        components.scope,
        components.weight,
        components.quota_period,
        components.attainment_basis,
        components.rate_table_type,
        components.threshold_attainment,
        components.cap_attainment,
        components.cap_per_deal,
        components.cap_per_period,
        components.cap_per_year,
        rate_schedules.band_count,
        rate_schedules.rate_schedule,
        components.is_computed,
        components.computed_gap,
        plans.source_file,
        plans.file_sha256,
        plans.publication_id
    from components
    inner join plans
        on plans.plan_id = components.plan_id
    left join rate_schedules
        on rate_schedules.plan_id = components.plan_id
        and rate_schedules.version_number = components.version_number
        and rate_schedules.component_id = components.component_id
)

select * from final
