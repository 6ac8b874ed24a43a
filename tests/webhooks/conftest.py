"""A local HTTP receiver standing in for a WeCom / DingTalk robot or a JSON endpoint; it can be down
(nothing listening on its port) or answer with errors before it accepts."""
from __future__ import annotations

import json
import socket
import threading
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Call:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    raw: bytes

    @property
    def json(self):
        return json.loads(self.raw)


class Receiver:
    """``answers`` are used up one per call (status, JSON body); then 200 {"errcode": 0}."""

    def __init__(self):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.calls: list[Call] = []
        self.answers: list[tuple[int, dict]] = []
        self.server: ThreadingHTTPServer | None = None

    def url(self, path: str = "/cgi-bin/webhook/send?key=test-key") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                parts = urllib.parse.urlsplit(self.path)
                receiver.calls.append(Call(parts.path, dict(urllib.parse.parse_qsl(parts.query)),
                                           {k.lower(): v for k, v in self.headers.items()}, raw))
                status, body = receiver.answers.pop(0) if receiver.answers else (200, {"errcode": 0, "errmsg": "ok"})
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@pytest.fixture
def receiver():
    server = Receiver()  # not started: a test starts it when the endpoint should be up
    yield server
    server.stop()
