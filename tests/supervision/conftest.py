"""A real SMTP server (aiosmtpd) for the 督办 loop's tests, as in tests/reminders."""
from __future__ import annotations

import pytest

from tests.reminders.conftest import SmtpServer


@pytest.fixture
def smtp(app):
    server = SmtpServer()  # binds a socket to port 0 first: Controller(port=0) cannot report its port
    server.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_SECURITY="none",
                      MAIL_SENDER="duban@example.gov.cn")
    yield server
    server.stop()
