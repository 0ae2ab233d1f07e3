"""Browser pages for company staff: battery models and passports (server-rendered, thin shells).

Reads go through `selectors`, writes through `services`, every decision through `policies`. Templates get
view-models (dicts) built from the values the viewer may see, never model rows that could walk to the
confidential supply chain. Objects outside the caller's scope answer 404; visible objects the caller may
not change answer 403.

- `lists`: the passport list with its search and filters.
- `battery_models`: the model list, creating and editing a model step by step, its supply chain, its page.
- `passport_pages`: creating and editing a passport, its page, review, publishing, status changes,
  dynamic data, deleting a draft and the difference between versions.
- `sharing`: granting and revoking legitimate-interest access to a passport or a model.
- `steps`, `lookups`, `display`: what the pages share (form steps, scoped look-ups, view-models of values).
"""
