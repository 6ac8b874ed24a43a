"""工作台 (workbench): the page after login, what needs the user today, one per role."""
