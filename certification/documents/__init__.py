"""The certificate document: a signed PDF/A-3 of the certificate's facts, rendered once when the
certificate is issued (in a Celery task on the "pdf" queue), stored privately with its SHA-256 and served
through a permission-checked download. A later status change never rewrites it: verification tells the
current status."""
