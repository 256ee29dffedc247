with source as (
    select * from {{ source('plans', 'spifs') }}
),

renamed as (
    select
        plan_id,
        version_number,
        spif_id,
        spif_name,
        starts_on,
        ends_on,
        measure,
        activity,
        payment_trigger,
        product_families,
        product_codes,
        rate,
        amount_per_unit
    from source
)

select * from renamed
