-- The rate table of every computed component written out as bands of attainment
-- [attainment_from, attainment_to), ratios to quota. A flat table is one band from 0;
-- graduated and retroactive tables are their tiers cut at the attainment cap; a curve
-- is one band per segment between its points, starting from (0, 0), and one band past
-- its last point where the payout stays flat; above the cap one more band pays nothing
-- ('above_cap'), so every credit lands in a band.
--
-- A per-transaction table (rate_table_per transaction) has no attainment bands: its
-- tiers are bands of one deal credit's amount [amount_from, amount_to), in the plan
-- currency (units for a count measure), labelled deal_tier_<n>; it takes no attainment
-- cap (plan validation), so it has no above_cap band.
--
-- A curve band has no rate of its own: it carries its segment, from (curve_attainment_from,
-- payout_from) to (curve_attainment_to, payout_to), and int_commission_lines turns it into
-- a rate on the measure with the person's quota and target incentive.

with components as (
    select * from {{ ref('int_plan_components') }}
    where is_computed
),

tiers as (
    select * from {{ ref('stg_plans__rate_tiers') }}
),

curve_points as (
    select * from {{ ref('stg_plans__curve_points') }}
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
        -- a count measure pays an amount per unit (plan currency) instead of a rate
        coalesce(components.flat_rate, components.flat_amount_per_unit) as rate,
        null::numeric as curve_attainment_from,
        null::numeric as curve_attainment_to,
        null::numeric as payout_from,
        null::numeric as payout_to,
        null::numeric as amount_from,
        null::numeric as amount_to
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
        coalesce(tiers.rate, tiers.amount_per_unit) as rate,
        null::numeric as curve_attainment_from,
        null::numeric as curve_attainment_to,
        null::numeric as payout_from,
        null::numeric as payout_to,
        null::numeric as amount_from,
        null::numeric as amount_to
    from components
    inner join tiers
        on tiers.plan_id = components.plan_id
        and tiers.version_number = components.version_number
        and tiers.component_id = components.component_id
    where components.rate_table_type in ('graduated', 'retroactive')
        and components.rate_table_per is distinct from 'transaction'
        and (components.cap_attainment is null or tiers.attainment_from < components.cap_attainment)
),

deal_tier_bands as (
    -- per transaction: the tiers' bounds are amounts of one deal credit (plan currency, or units)
    select
        components.plan_id,
        components.version_number,
        components.component_id,
        tiers.tier_number as band_number,
        'deal_tier_' || tiers.tier_number as band_label,
        null::numeric as attainment_from,
        null::numeric as attainment_to,
        coalesce(tiers.rate, tiers.amount_per_unit) as rate,
        null::numeric as curve_attainment_from,
        null::numeric as curve_attainment_to,
        null::numeric as payout_from,
        null::numeric as payout_to,
        tiers.attainment_from as amount_from,
        tiers.attainment_to as amount_to
    from components
    inner join tiers
        on tiers.plan_id = components.plan_id
        and tiers.version_number = components.version_number
        and tiers.component_id = components.component_id
    where components.rate_table_type in ('graduated', 'retroactive')
        and components.rate_table_per = 'transaction'
),

last_points as (
    select distinct on (plan_id, version_number, component_id) *
    from curve_points
    order by plan_id, version_number, component_id, point_number desc
),

curve_segments as (
    -- Each point closes the segment from the point before it, the first from (0, 0);
    -- past the last point the payout stays flat (curve_attainment_to null).
    select
        plan_id,
        version_number,
        component_id,
        point_number as segment_number,
        coalesce(lag(attainment) over points_in_order, 0) as curve_attainment_from,
        attainment as curve_attainment_to,
        coalesce(lag(payout) over points_in_order, 0) as payout_from,
        payout as payout_to
    from curve_points
    window points_in_order as (partition by plan_id, version_number, component_id order by point_number)
    union all
    select
        plan_id,
        version_number,
        component_id,
        point_number + 1 as segment_number,
        attainment as curve_attainment_from,
        null::numeric as curve_attainment_to,
        payout as payout_from,
        payout as payout_to
    from last_points
),

curve_bands as (
    select
        components.plan_id,
        components.version_number,
        components.component_id,
        row_number() over segments_in_order as band_number,
        case
            when curve_segments.curve_attainment_to is null then 'curve_end'
            else 'curve_' || row_number() over segments_in_order
        end as band_label,
        curve_segments.curve_attainment_from as attainment_from,
        case
            when components.cap_attainment is null then curve_segments.curve_attainment_to
            else least(
                coalesce(curve_segments.curve_attainment_to, components.cap_attainment), components.cap_attainment
            )
        end as attainment_to,
        null::numeric as rate,
        curve_segments.curve_attainment_from,
        curve_segments.curve_attainment_to,
        curve_segments.payout_from,
        curve_segments.payout_to,
        null::numeric as amount_from,
        null::numeric as amount_to
    from components
    inner join curve_segments
        on curve_segments.plan_id = components.plan_id
        and curve_segments.version_number = components.version_number
        and curve_segments.component_id = components.component_id
    where components.rate_table_type = 'curve'
        -- a point at attainment 0 closes an empty segment
        and curve_segments.curve_attainment_from < coalesce(curve_segments.curve_attainment_to, 'infinity')
        and (components.cap_attainment is null or curve_segments.curve_attainment_from < components.cap_attainment)
    window segments_in_order as (
        partition by components.plan_id, components.version_number, components.component_id
        order by curve_segments.segment_number
    )
),

paying_bands as (
    select * from flat_bands
    union all
    select * from tier_bands
    union all
    select * from deal_tier_bands
    union all
    select * from curve_bands
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
        0::numeric as rate,
        null::numeric as curve_attainment_from,
        null::numeric as curve_attainment_to,
        null::numeric as payout_from,
        null::numeric as payout_to,
        null::numeric as amount_from,
        null::numeric as amount_to
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
        components.rate_table_per,
        components.threshold_attainment,
        components.cap_attainment,
        bands.band_number,
        bands.band_label,
        bands.is_above_cap,
        bands.attainment_from,
        bands.attainment_to,
        bands.rate,
        bands.curve_attainment_from,
        bands.curve_attainment_to,
        bands.payout_from,
        bands.payout_to,
        bands.amount_from,
        bands.amount_to
    from bands
    inner join components
        on components.plan_id = bands.plan_id
        and components.version_number = bands.version_number
        and components.component_id = bands.component_id
)

select * from final
