"""Period close: each pay period's lifecycle (open -> calculated -> approved -> exported) and the
append-only payout ledger of what was exported, kept in the warehouse schema `close`.

`schema` creates the tables (the pipeline's warehouse preparation, never dbt, so a dbt full
refresh cannot drop them); `lifecycle` records a period's transitions with their totals;
`ledger` writes and reads back the lines of an exported payroll file.
"""
