"""ZIP bundles of signed certificate PDFs, built by a Celery task for the user who asked for them."""
