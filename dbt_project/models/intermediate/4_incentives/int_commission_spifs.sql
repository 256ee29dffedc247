-- SPIFs (a plan version's `spifs`): a time-boxed rate on the bookings of some products.
-- Every commissionable deal credit (int_credits) of a person on the version, closed from
-- starts_on to ends_on (both included), earns rate x the deal's value in the SPIF's
-- measure, counting only the line items of its product_families and product_codes (all
-- of the deal when it names none, int_deal_measures):
--   bookings_tcv         those line items' total;
--   bookings_acv         their subscription part x 12 / term_months;
--   bookings_first_year  their subscription part x min(term_months, 12) / term_months
--                        plus their one-time part;
-- times the split share and the credit's FX rate (close date) into the credit currency,
-- times its payout_fx_rate into the pay currency (1 unless the plan measures credits in
-- the plan currency), paid in the close month. A SPIF on `units` at the booking pays
-- amount_per_unit (plan currency) for each unit of those line items (their quantities)
-- times the split share, converted to the pay currency at the close date or the month's
-- last day (the plan's fx_rate_date) like a unit's amount.
-- Only SPIFs on these measures, on the booking trigger and paying a rate (an amount per
-- unit on units) are computed
-- (assert_assigned_plans_are_computed stops the run for another). A deal whose value
-- cannot be read (no term, a product family the seed does not know) keeps a null amount,
-- and the not_null test on fct_commission_lines stops the run. A deal with none of the
-- SPIF's products gets no line. SPIF lines are not clawed back.
--
-- A SPIF on `measure: activities` pays amount_per_unit (plan currency) for every
-- commissionable completed activity of its `activity` type (int_activity_credits) from
-- starts_on to ends_on, in the activity's month, converted to the pay currency at the
-- activity date or the month's last day (the plan's fx_rate_date); with product_families
-- or product_codes, only activities whose opportunity has a line item of them count.

{{ config(materialized='table', schema='pay_lines') }}

with spifs as (
    select * from {{ ref('stg_plans__spifs') }}
    where payment_trigger = 'booking'
        and (
            (measure in {{ bookings_measures() }} and rate is not null)
            or (measure = 'units' and amount_per_unit is not null)
        )
),

activity_spifs as (
    select * from {{ ref('stg_plans__spifs') }}
    where measure = 'activities'
        and amount_per_unit is not null
),

activity_credits as (
    select * from {{ ref('int_activity_credits') }}
    where is_commissionable
),

plans as (
    select * from {{ ref('stg_plans__plans') }}
),

fx_rates as (
    select * from {{ ref('int_fx_rates') }}
),

credits as (
    -- a region credit repeats every deal of the region for each of its people: no SPIF on it
    select * from {{ ref('int_credits') }}
    where is_commissionable
        and credit_type is distinct from 'region'
),

deal_measures as (
    select * from {{ ref('int_deal_measures') }}
),

line_items as (
    select * from {{ ref('stg_crm__opportunity_line_items') }}
),

product_families as (
    select * from {{ ref('product_families') }}
),

spif_credits as (
    select
        credits.*,
        spifs.spif_id,
        spifs.spif_name,
        spifs.measure,
        coalesce(spifs.rate, spifs.amount_per_unit) as rate,
        spifs.product_families,
        spifs.product_codes,
        cardinality(spifs.product_families) + cardinality(spifs.product_codes) = 0 as is_whole_deal
    from credits
    inner join spifs
        on spifs.plan_id = credits.plan_id
        and spifs.version_number = credits.plan_version_number
        and credits.credit_date between spifs.starts_on and spifs.ends_on
),

spif_products as (
    -- The SPIF's line items of each deal, split into subscription and one-time.
    select
        spif_credits.credit_id,
        spif_credits.spif_id,
        sum(line_items.total_price) as products_amount,
        sum(line_items.quantity) as products_units,
        coalesce(sum(line_items.total_price) filter (where product_families.is_recurring), 0) as recurring_amount,
        coalesce(sum(line_items.total_price) filter (where not product_families.is_recurring), 0) as one_time_amount,
        count(*) filter (where product_families.product_family is null) as unknown_family_count
    from spif_credits
    inner join line_items
        on line_items.opportunity_id = spif_credits.opportunity_id
        and (
            cardinality(spif_credits.product_families) = 0
            or line_items.product_family = any(spif_credits.product_families)
        )
        and (cardinality(spif_credits.product_codes) = 0 or line_items.product_code = any(spif_credits.product_codes))
    left join product_families
        on product_families.product_family = line_items.product_family
    where not spif_credits.is_whole_deal
    group by 1, 2
),

valued as (
    select
        spif_credits.*,
        case
            when spif_credits.is_whole_deal then {{ deal_measure_value('spif_credits.measure', 'deal_measures') }}
            when spif_credits.measure = 'bookings_tcv' then spif_products.products_amount
            when spif_credits.measure = 'units' then spif_products.products_units
            when spif_products.unknown_family_count > 0 or coalesce(deal_measures.term_months, 0) <= 0 then null
            when spif_credits.measure = 'bookings_acv'
                then {{ annual_contract_value('spif_products.recurring_amount', 'deal_measures.term_months') }}
            else {{ first_year_value(
                'spif_products.recurring_amount', 'spif_products.one_time_amount', 'deal_measures.term_months'
            ) }}
        end as spif_measure_amount
    from spif_credits
    inner join deal_measures
        on deal_measures.opportunity_id = spif_credits.opportunity_id
    left join spif_products
        on spif_products.credit_id = spif_credits.credit_id
        and spif_products.spif_id = spif_credits.spif_id
    where spif_credits.is_whole_deal or spif_products.credit_id is not null
),

with_unit_fx as (
    -- a SPIF on units pays an amount (plan currency) a unit: converted like a unit's amount,
    -- on the day the deal credit converts what it earns (int_credits.payout_fx_date)
    select
        valued.*,
        case
            when valued.measure = 'units'
                then {{ fx_rate_between('to_pay_fx', 'valued.plan_currency', 'valued.pay_currency') }}
        end as unit_amount_fx_rate
    from valued
    {{ fx_rate_joins('to_pay_fx', 'valued.plan_currency', 'valued.pay_currency', 'valued.payout_fx_date') }}
),

deal_spif_lines as (
    select
        {{ dbt.hash("'spif|' || credit_id || '|' || spif_id") }} as commission_line_id,
        'spif' as line_type,
        employee_id,
        plan_id,
        plan_version_number,
        null::text as component_id,
        pay_period,
        period_start,
        trim_scale(
            rate * spif_measure_amount * split_share
            * case when measure = 'units' then unit_amount_fx_rate else fx_rate * payout_fx_rate end
        ) as commission_amount,
        pay_currency,
        credit_id as evidence_key,
        credit_id,
        plan_version,
        spif_id as incentive_id,
        spif_name as incentive_name,
        measure,
        'booking' as payment_trigger,
        'booking' as credit_event,
        null::text as credit_event_id,
        rate,
        trim_scale(spif_measure_amount) as measure_amount,
        case when measure <> 'units' then deal_currency end as measure_currency,
        opportunity_id,
        split_id,
        credit_type,
        rollup_from_employee_id,
        split_share,
        credit_date,
        deal_amount,
        deal_currency,
        -- units: the unit amount's rate (plan currency to pay currency), and no credit currency
        case when measure = 'units' then trim_scale(unit_amount_fx_rate) else fx_rate end as fx_rate,
        trim_scale(spif_measure_amount * split_share * case when measure = 'units' then 1 else fx_rate end)
            as credit_amount,
        case when measure <> 'units' then credit_currency end as credit_currency,
        case when measure <> 'units' then payout_fx_rate end as payout_fx_rate,
        case when measure <> 'units' then payout_fx_date end as payout_fx_date,
        opportunity_row_id,
        split_row_id,
        null::bigint as event_row_id,
        null::text as event_source_file,
        null::integer as event_source_line,
        source_batch_id,
        source_file,
        source_line
    from with_unit_fx
    where spif_measure_amount is null or spif_measure_amount <> 0
),

activity_spif_opportunities as (
    -- the opportunities carrying the products of each activity SPIF that names some
    select distinct
        activity_spifs.plan_id,
        activity_spifs.version_number,
        activity_spifs.spif_id,
        line_items.opportunity_id
    from activity_spifs
    inner join line_items
        on (cardinality(activity_spifs.product_families) = 0
            or line_items.product_family = any(activity_spifs.product_families))
        and (cardinality(activity_spifs.product_codes) = 0
            or line_items.product_code = any(activity_spifs.product_codes))
    where cardinality(activity_spifs.product_families) + cardinality(activity_spifs.product_codes) > 0
),

activity_spif_credits as (
    -- each activity of the SPIF's type and dates, of someone on the version, whose
    -- opportunity carries the SPIF's products when it names some
    select
        activity_credits.*,
        activity_spifs.spif_id,
        activity_spifs.spif_name,
        activity_spifs.amount_per_unit,
        plans.plan_currency,
        {{ plan_fx_date('plans.fx_rate_date', 'activity_credits.credit_date') }} as fx_date
    from activity_credits
    inner join activity_spifs
        on activity_spifs.plan_id = activity_credits.plan_id
        and activity_spifs.version_number = activity_credits.plan_version_number
        and activity_spifs.activity = activity_credits.activity
        and activity_credits.credit_date between activity_spifs.starts_on and activity_spifs.ends_on
    inner join plans
        on plans.plan_id = activity_credits.plan_id
    left join activity_spif_opportunities
        on activity_spif_opportunities.plan_id = activity_spifs.plan_id
        and activity_spif_opportunities.version_number = activity_spifs.version_number
        and activity_spif_opportunities.spif_id = activity_spifs.spif_id
        and activity_spif_opportunities.opportunity_id = activity_credits.activity_opportunity_id
    where cardinality(activity_spifs.product_families) + cardinality(activity_spifs.product_codes) = 0
        or activity_spif_opportunities.opportunity_id is not null
),

activity_spif_converted as (
    select
        activity_spif_credits.*,
        {{ fx_rate_between('to_pay_fx', 'activity_spif_credits.plan_currency', 'activity_spif_credits.pay_currency') }}
            as unit_amount_fx_rate
    from activity_spif_credits
    {{ fx_rate_joins(
        'to_pay_fx',
        'activity_spif_credits.plan_currency',
        'activity_spif_credits.pay_currency',
        'activity_spif_credits.fx_date'
    ) }}
),

activity_spif_lines as (
    select
        {{ dbt.hash("'spif|' || credit_id || '|' || spif_id") }} as commission_line_id,
        'spif' as line_type,
        employee_id,
        plan_id,
        plan_version_number,
        null::text as component_id,
        pay_period,
        period_start,
        -- null without a rate: the not_null test on fct_commission_lines stops the run
        trim_scale(amount_per_unit * unit_amount_fx_rate) as commission_amount,
        pay_currency,
        credit_id as evidence_key,
        credit_id,
        plan_version,
        spif_id as incentive_id,
        spif_name as incentive_name,
        'activities' as measure,
        null::text as payment_trigger,
        'activity' as credit_event,
        activity_id as credit_event_id,
        amount_per_unit as rate,
        1::numeric as measure_amount,
        null::text as measure_currency,
        activity_opportunity_id as opportunity_id,
        null::text as split_id,
        'owner' as credit_type,
        null::text as rollup_from_employee_id,
        1::numeric as split_share,
        credit_date,
        null::numeric as deal_amount,
        null::text as deal_currency,
        trim_scale(unit_amount_fx_rate) as fx_rate,
        1::numeric as credit_amount,
        null::text as credit_currency,
        null::numeric as payout_fx_rate,
        null::date as payout_fx_date,
        null::bigint as opportunity_row_id,
        null::bigint as split_row_id,
        activity_row_id as event_row_id,
        source_file as event_source_file,
        source_line as event_source_line,
        source_batch_id,
        source_file,
        source_line
    from activity_spif_converted
),

final as (
    select * from deal_spif_lines
    union all
    select * from activity_spif_lines
)

select * from final
