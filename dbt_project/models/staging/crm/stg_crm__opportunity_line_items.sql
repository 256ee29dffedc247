with source as (
    select * from {{ source('raw_crm', 'opportunity_line_items') }}
    where {{ not_quarantined('crm.opportunity_line_items') }}
),

renamed as (
    select
        line_item_id,
        opportunity_id,
        product_code,
        product_family,
        quantity::numeric as quantity,
        unit_price::numeric as unit_price,
        total_price::numeric as total_price,
        last_modified_at,
        _row_id as line_item_row_id,
        _batch_id as source_batch_id,
        _source_file as source_file,
        _source_line as source_line
    from source
)

select * from renamed
