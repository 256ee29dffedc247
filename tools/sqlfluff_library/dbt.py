"""What sqlfluff's jinja templater needs of dbt's `dbt.` namespace to render the models.

sqlfluff loads this folder (`library_path` in .sqlfluff) and exposes each module by its
name, so `{{ dbt.hash(...) }}` renders as dbt-postgres renders it, with no dbt compile and
no database. Only what the models call is here.
"""


def hash(field: str) -> str:
    """dbt-postgres's hash(): an md5 of the expression as text."""
    return f"md5(cast({field} as varchar))"
