with source as (
    select * from {{ source('raw_hr', 'mbo_scores') }}
    where {{ not_quarantined('hr.mbo_scores') }}
),

renamed as (
    select
        employee_id,
        period_start,
        period_end,
        score::numeric as score,
        nullif(trim(scored_by), '') as scored_by,
        comment as score_comment,
        updated_at,
        _row_id as mbo_score_row_id,
        _batch_id as source_batch_id,
        _source_file as source_file,
        _source_line as source_line
    from source
)

select * from renamed
