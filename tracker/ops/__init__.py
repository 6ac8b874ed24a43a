"""Operations: backup and restore (``flask backup``), the ``/healthz`` probe for monitoring."""
