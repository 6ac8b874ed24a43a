"""Fixtures of the proposal tests: a real SMTP server (aiosmtpd) the reminders are sent to."""
from __future__ import annotations

import pytest

from tests.reminders.conftest import SmtpServer


@pytest.fixture
def smtp(app):
    server = SmtpServer()
    server.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_SECURITY="none",
                      MAIL_SENDER="duban@example.gov.cn")
    yield server
    server.stop()
