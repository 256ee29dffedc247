-- The rate table of every computed component written out as bands of attainment
-- [attainment_from, attainment_to), ratios to quota. A flat table is one band from 0;
-- graduated and retroactive tables are their tiers cut at the attainment cap; above
-- the cap one more band pays nothing ('above_cap'), so every credit lands in a band.

with components as (
    select * from {{ ref('int_plan_components') }}
    where is_computed
),

tiers as (
    select * from {{ ref('stg_plans__rate_tiers') }}
),

flat_bands as (
    select
        components.plan_id,
        components.version_number,
        components.component_id,
        1 as band_number,
        'flat' as band_label,
        0::numeric as attainment_from,
        components.cap_attainment as attainment_to,
        components.flat_rate as rate
    from components
    where components.rate_table_type = 'flat'
),

tier_bands as (
    select
        components.plan_id,
        components.version_number,
        components.component_id,
        tiers.tier_number as band_number,
        'tier_' || tiers.tier_number as band_label,
        tiers.attainment_from,
        case
            when components.cap_attainment is null then tiers.attainment_to
            else least(coalesce(tiers.attainment_to, components.cap_attainment), components.cap_attainment)
        end as attainment_to,
        tiers.rate
    from components
    inner join tiers
        on tiers.plan_id = components.plan_id
        and tiers.version_number = components.version_number
        and tiers.component_id = components.component_id
    where components.rate_table_type in ('graduated', 'retroactive')
        and (components.cap_attainment is null or tiers.attainment_from < components.cap_attainment)
),

paying_bands as (
    select * from flat_bands
    union all
    select * from tier_bands
),

above_cap_bands as (
    select
        components.plan_id,
        components.version_number,
        components.component_id,
        coalesce(max(paying_bands.band_number), 0) + 1 as band_number,
        'above_cap' as band_label,
        components.cap_attainment as attainment_from,
        null::numeric as attainment_to,
        0::numeric as rate
    from components
    left join paying_bands
        on paying_bands.plan_id = components.plan_id
        and paying_bands.version_number = components.version_number
        and paying_bands.component_id = components.component_id
    where components.cap_attainment is not null
    group by components.plan_id, components.version_number, components.component_id, components.cap_attainment
),

bands as (
    select *, false as is_above_cap from paying_bands
    union all
    select *, true as is_above_cap from above_cap_bands
),

final as (
    select
        bands.plan_id,
        bands.version_number,
        components.plan_version,
        components.effective_from,
        components.effective_to,
        bands.component_id,
        components.component_name,
        components.measure,
        components.quota_measure,
        components.rate_table_type,
        components.threshold_attainment,
        components.cap_attainment,
        bands.band_number,
        bands.band_label,
        bands.is_above_cap,
        bands.attainment_from,
        bands.attainment_to,
        bands.rate
    from bands
    inner join components
        on components.plan_id = bands.plan_id
        and components.version_number = bands.version_number
        and components.component_id = bands.component_id
)

select * from final
