"""工作台 (workbench): the page after login, what needs the user today, one per role."""
from tracker.workbench import loop  # noqa: F401,E402 (the 督办 loop's and the 通报's sections, after the services' own)
