"""The public progress pages (政务公开): plans marked 主动公开, readable without login."""
