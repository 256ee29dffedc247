with source as (
    select * from {{ source('plans', 'plan_components') }}
),

renamed as (
    select
        plan_id,
        version_number,
        component_id,
        component_number,
        component_name,
        measure,
        activity,
        coalesce(quota_measure, measure) as quota_measure,
        payment_trigger,
        scope,
        weight,
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
        credit_manager_rollup
    from source
)

select * from renamed
