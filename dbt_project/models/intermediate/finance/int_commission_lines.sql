-- The plan maths, deal by deal. Within each (employee, plan, month) the credits are
-- taken in order (close date, opportunity, split) and stacked: cum_before and
-- cum_after are the month's bookings before and after the credit. Each tier of the
-- plan is a band of bookings [quota * attainment_from, quota * min(attainment_to, cap));
-- the part of the credit inside a band earns that band's rate. Bookings above
-- quota * cap earn nothing but still get an 'above_cap' line, so every credit is
-- explained and its lines' tier_base_amount add up to the credit. Nothing is rounded
-- here: fct_payouts rounds once per (employee, plan, month).

with credits as (
    select * from {{ ref('int_credits') }}
    where is_commissionable
),

plans as (
    select * from {{ ref('plans') }}
),

tiers as (
    select * from {{ ref('plan_rate_tiers') }}
),

stacked as (
    select
        credits.*,
        sum(credits.credit_amount) over (
            partition by credits.employee_id, credits.plan_id, credits.period_start
            order by credits.credit_date, credits.opportunity_id, credits.split_id nulls first
            rows between unbounded preceding and current row
        ) as cum_after
    from credits
),

cumulative as (
    select
        stacked.*,
        stacked.cum_after - stacked.credit_amount as cum_before
    from stacked
),

bands as (
    select
        tiers.plan_id,
        tiers.tier_number,
        'tier_' || tiers.tier_number as tier_label,
        tiers.rate,
        tiers.attainment_from,
        least(coalesce(tiers.attainment_to, plans.cap_attainment), plans.cap_attainment) as attainment_to
    from tiers
    inner join plans
        on plans.plan_id = tiers.plan_id
    where tiers.attainment_from < plans.cap_attainment

    union all

    select
        plans.plan_id,
        coalesce(max(tiers.tier_number), 0) + 1 as tier_number,
        'above_cap' as tier_label,
        0::numeric as rate,
        plans.cap_attainment as attainment_from,
        null::numeric as attainment_to
    from plans
    left join tiers
        on tiers.plan_id = plans.plan_id
    group by plans.plan_id, plans.cap_attainment
),

credit_bands as (
    select
        cumulative.*,
        bands.tier_number,
        bands.tier_label,
        bands.rate,
        bands.attainment_from as tier_attainment_from,
        bands.attainment_to as tier_attainment_to,
        cumulative.quota_amount * bands.attainment_from as band_low,
        cumulative.quota_amount * bands.attainment_to as band_high
    from cumulative
    inner join bands
        on bands.plan_id = cumulative.plan_id
),

tier_overlaps as (
    select
        credit_bands.*,
        greatest(
            0::numeric,
            least(cum_after, coalesce(band_high, cum_after)) - greatest(cum_before, band_low)
        ) as tier_base_amount
    from credit_bands
),

touched as (
    select * from tier_overlaps
    where tier_base_amount > 0
        -- A zero credit touches no band; explain it by the band it sits in.
        or (
            credit_amount = 0
            and cum_before >= band_low
            and (band_high is null or cum_before < band_high)
        )
),

final as (
    select
        {{ dbt.hash("credit_id || '|' || employee_id || '|' || plan_id || '|' || tier_label") }}
            as commission_line_id,
        credit_id,
        employee_id,
        plan_id,
        period_start,
        pay_period,
        tier_number,
        tier_label,
        tier_attainment_from,
        tier_attainment_to,
        trim_scale(rate) as rate,
        quota_amount,
        -- trim_scale drops trailing zeros only (100.0000 -> 100): same value, stable text.
        trim_scale(cum_before) as bookings_before,
        trim_scale(cum_after) as bookings_after,
        trim_scale(cum_before / nullif(quota_amount, 0)) as attainment_before,
        trim_scale(cum_after / nullif(quota_amount, 0)) as attainment_after,
        opportunity_id,
        split_id,
        split_share,
        credit_date,
        deal_amount,
        deal_currency,
        fx_rate,
        credit_amount,
        pay_currency,
        trim_scale(tier_base_amount) as tier_base_amount,
        trim_scale(rate * tier_base_amount) as commission_amount,
        opportunity_row_id,
        split_row_id,
        source_file,
        source_batch_id,
        source_line
    from touched
)

select * from final
