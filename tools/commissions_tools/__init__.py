"""Tools beside the pipeline, not part of the package Airflow loads (plugins/commissions):
the demo data generator (`commissions generate`, a first `commissions run`) and the
benchmark (`commissions bench`). Both import the pipeline; the pipeline never imports them
but for the CLI, lazily."""
