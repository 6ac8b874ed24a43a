"""The pages (HTML views) of the domains, one module per domain, named after it; each holds that domain's
blueprint. Pages sit above every domain: they parse input, call the domains' services and queries, and
render; they never import one another (contract `views` in `.importlinter`). The outer doors (``api``,
``public``, ``search``, ``ops``) are whole domains at the same height and keep their own views."""
