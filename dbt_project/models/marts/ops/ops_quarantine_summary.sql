-- Rows the latest quality-gate run holds back, by table, rule and severity.

with quarantine as (
    select * from {{ source('dq', 'quarantine_current') }}
),

gate_runs as (
    select * from {{ source('dq', 'gate_runs') }}
),

final as (
    select
        quarantine.gate_run_id,
        gate_runs.run_label,
        gate_runs.finished_at as gate_finished_at,
        gate_runs.status as gate_status,
        quarantine.table_name,
        quarantine.rule_name,
        quarantine.severity,
        quarantine.column_name,
        count(*) as rows_held
    from quarantine
    inner join gate_runs
        on gate_runs.gate_run_id = quarantine.gate_run_id
    group by
        quarantine.gate_run_id,
        gate_runs.run_label,
        gate_runs.finished_at,
        gate_runs.status,
        quarantine.table_name,
        quarantine.rule_name,
        quarantine.severity,
        quarantine.column_name
)

select * from final
