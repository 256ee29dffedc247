-- SPIFs (a plan version's `spifs`): a time-boxed rate on the bookings of some products.
-- Every commissionable deal credit (int_credits) of a person on the version, closed from
-- starts_on to ends_on (both included), earns rate x the deal's value in the SPIF's
-- measure, counting only the line items of its product_families and product_codes (all
-- of the deal when it names none, int_deal_measures):
--   bookings_tcv         those line items' total;
--   bookings_acv         their subscription part x 12 / term_months;
--   bookings_first_year  their subscription part x min(term_months, 12) / term_months
--                        plus their one-time part;
-- times the split share and the credit's FX rate (close date), paid in the close month.
-- Only SPIFs on these measures, on the booking trigger and paying a rate are computed
-- (assert_assigned_plans_are_computed stops the run for another). A deal whose value
-- cannot be read (no term, a product family the seed does not know) keeps a null amount,
-- and the not_null test on fct_commission_lines stops the run. A deal with none of the
-- SPIF's products gets no line. SPIF lines are not clawed back.

{{ config(materialized='table') }}

with spifs as (
    select * from {{ ref('stg_plans__spifs') }}
    where measure in {{ bookings_measures() }}
        and payment_trigger = 'booking'
        and rate is not null
),

credits as (
    select * from {{ ref('int_credits') }}
    where is_commissionable
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
        spifs.rate,
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
        coalesce(sum(line_items.total_price) filter (where product_families.is_recurring), 0) as recurring_amount,
        coalesce(sum(line_items.total_price) filter (where not product_families.is_recurring), 0) as one_time_amount,
        count(*) filter (where product_families.product_family is null) as unknown_family_count
    from spif_credits
    inner join line_items
        on line_items.opportunity_id = spif_credits.opportunity_id
        and (cardinality(spif_credits.product_families) = 0 or line_items.product_family = any(spif_credits.product_families))
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
            when spif_products.unknown_family_count > 0 or coalesce(deal_measures.term_months, 0) <= 0 then null
            when spif_credits.measure = 'bookings_acv'
                then {{ annual_contract_value('spif_products.recurring_amount', 'deal_measures.term_months') }}
            else {{ first_year_value('spif_products.recurring_amount', 'spif_products.one_time_amount', 'deal_measures.term_months') }}
        end as spif_measure_amount
    from spif_credits
    inner join deal_measures
        on deal_measures.opportunity_id = spif_credits.opportunity_id
    left join spif_products
        on spif_products.credit_id = spif_credits.credit_id
        and spif_products.spif_id = spif_credits.spif_id
    where spif_credits.is_whole_deal or spif_products.credit_id is not null
),

final as (
    select
        {{ dbt.hash("'spif|' || credit_id || '|' || spif_id") }} as commission_line_id,
        'spif' as line_type,
        credit_id,
        employee_id,
        plan_id,
        plan_version_number,
        plan_version,
        period_start,
        pay_period,
        pay_currency,
        spif_id as incentive_id,
        spif_name as incentive_name,
        measure,
        rate,
        trim_scale(spif_measure_amount) as measure_amount,
        deal_currency as measure_currency,
        opportunity_id,
        split_id,
        credit_type,
        rollup_from_employee_id,
        split_share,
        credit_date,
        deal_amount,
        deal_currency,
        fx_rate,
        trim_scale(spif_measure_amount * split_share * fx_rate) as credit_amount,
        trim_scale(rate * spif_measure_amount * split_share * fx_rate) as commission_amount,
        opportunity_row_id,
        split_row_id,
        source_batch_id,
        source_file,
        source_line
    from valued
    where spif_measure_amount is null or spif_measure_amount <> 0
)

select * from final
