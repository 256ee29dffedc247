-- The commission lines a credit pays in its own month: its evaluation at that month
-- (int_commission_evaluations holds the maths). What later months of a cumulative
-- window add or take back on it is in int_commission_true_ups.

with evaluations as (
    select * from {{ ref('int_commission_evaluations') }}
),

final as (
    select
        {{ dbt.hash("credit_id || '|' || employee_id || '|' || plan_id || '|' || component_id || '|' || tier_label") }}
            as commission_line_id,
        evaluations.*
    from evaluations
    where as_of_period_start = period_start
)

select * from final
