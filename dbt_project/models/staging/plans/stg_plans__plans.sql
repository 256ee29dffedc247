with source as (
    select * from {{ source('plans', 'plans') }}
),

renamed as (
    select
        plan_id,
        plan_name,
        description as plan_description,
        upper(currency) as plan_currency,
        credit_currency,
        payout_currency,
        fx_rate_date,
        version_count,
        source_file,
        file_sha256,
        publication_id
    from source
)

select * from renamed
