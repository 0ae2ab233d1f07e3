"""REST API of certification: schemes, applications under review, certificates (/api/v1/)."""
