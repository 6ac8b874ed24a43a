"""Access (权限): who may do what. One module decides it: tracker/access/permissions.py."""
