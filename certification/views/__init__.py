"""Browser pages of certification: thin shells over `selectors`, `services` and `policies`.

- `applications`: the applicant's pages (list, apply, scope, self-assessment with evidence, declaration
  and submission, withdrawal) and the application page every side shares.
- `review`: the certification body's queue, the assignment of a reviewer and the reviewer's workspace.
- `certificates`: the certificate list and page, status changes by the issuing body, renewal.

Objects outside the actor's scope answer 404 through the selectors. A service's refusal (its
`PermissionDenied` or `InvalidTransition`) is shown as an error message on the page the action came from;
its `ValidationError` is put on the form's fields.
"""
