"""The JSON API (/api/v1) with per-user API tokens (API令牌)."""
