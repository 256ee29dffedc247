-- One row per Closed Won deal: what it is worth in each deal measure, in the deal
-- currency, before any split.
--   bookings_tcv         the opportunity amount (total contract value);
--   bookings_acv         annual contract value: the recurring line items (product
--                        families with is_recurring in seeds/product_families.csv) over
--                        the term, times 12: recurring x 12 / term_months;
--   bookings_first_year  what the first 12 months bring: the recurring line items'
--                        first year, recurring x min(term_months, 12) / term_months,
--                        plus the one-time line items (services);
--   margin               gross margin: each line item's total_price x (1 - cost_rate), the
--                        family's standard cost rate on the close date
--                        (seeds/product_cost_rates.csv);
--   units                the line items' quantities.
-- ACV and first-year value need line items that add up to the amount, families the seed
-- knows and a term; margin needs the same line items (not the term) and a cost rate for
-- each family. A deal without them cannot be measured and says why
-- (line_item_measure_problem, margin_problem), so a credit on those measures is held,
-- never paid on a guess. Divisions are exact numeric (a 36-month term divides by 3: PostgreSQL keeps
-- 16 or more decimals); nothing is rounded before the payout.

{{ config(materialized='table') }}

with deals as (
    select * from {{ ref('stg_crm__opportunities') }}
    where is_closed_won
),

line_items as (
    select * from {{ ref('stg_crm__opportunity_line_items') }}
),

product_families as (
    select * from {{ ref('product_families') }}
),

cost_rates as (
    select * from {{ ref('product_cost_rates') }}
),

deal_lines as (
    select
        line_items.opportunity_id,
        count(*) as line_item_count,
        sum(line_items.total_price) as line_items_amount,
        sum(line_items.total_price) filter (where product_families.is_recurring) as recurring_amount,
        sum(line_items.total_price) filter (where not product_families.is_recurring) as one_time_amount,
        sum(line_items.quantity) as units,
        sum(line_items.total_price * (1 - cost_rates.cost_rate)) as margin,
        count(*) filter (where product_families.product_family is null) as unknown_family_count,
        count(*) filter (where cost_rates.cost_rate is null) as no_cost_rate_count
    from line_items
    inner join deals
        on deals.opportunity_id = line_items.opportunity_id
    left join product_families
        on product_families.product_family = line_items.product_family
    left join cost_rates
        on cost_rates.product_family = line_items.product_family
        and cost_rates.effective_from <= deals.close_date
        and (cost_rates.effective_to is null or cost_rates.effective_to >= deals.close_date)
    group by line_items.opportunity_id
),

joined as (
    select
        deals.opportunity_id,
        deals.amount,
        deals.currency,
        deals.term_months,
        coalesce(deal_lines.line_item_count, 0) as line_item_count,
        deal_lines.line_items_amount,
        coalesce(deal_lines.recurring_amount, 0) as recurring_amount,
        coalesce(deal_lines.one_time_amount, 0) as one_time_amount,
        deal_lines.units,
        deal_lines.margin,
        deal_lines.unknown_family_count,
        deal_lines.no_cost_rate_count
    from deals
    left join deal_lines
        on deal_lines.opportunity_id = deals.opportunity_id
),

assessed as (
    select
        joined.*,
        case
            when line_item_count = 0 then 'no_line_items'
            when unknown_family_count > 0 then 'unknown_product_family'
            when (line_items_amount is distinct from amount) then 'line_items_differ_from_amount'
            when term_months is null or term_months <= 0 then 'no_term'
        end as line_item_measure_problem,
        case
            when line_item_count = 0 then 'no_line_items'
            when (line_items_amount is distinct from amount) then 'line_items_differ_from_amount'
            when no_cost_rate_count > 0 then 'no_cost_rate'
        end as margin_problem
    from joined
),

final as (
    select
        opportunity_id,
        currency as deal_currency,
        term_months,
        line_item_count,
        recurring_amount,
        one_time_amount,
        amount as bookings_tcv,
        case
            when line_item_measure_problem is null
                then trim_scale({{ annual_contract_value('recurring_amount', 'term_months') }})
        end as bookings_acv,
        case
            when line_item_measure_problem is null
                then trim_scale({{ first_year_value('recurring_amount', 'one_time_amount', 'term_months') }})
        end as bookings_first_year,
        case when margin_problem is null then trim_scale(margin) end as margin,
        case when line_item_count > 0 then units end as units,
        line_item_measure_problem,
        margin_problem
    from assessed
)

select * from final
