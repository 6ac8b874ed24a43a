"""The overdue list (逾期清单): what is late, computed and stored (ARCHITECTURE.md: its layer)."""
