"""A slow stand-in for Amazon's certificate bucket: a real HTTPS server on loopback, started by the test.

Known paths get their chain at once; any other path drips its answer a byte at a time, as the
slowest server on the internet would, until the client hangs up. It counts what was asked of it,
so a test can say how many fetches strangers caused.
"""

from __future__ import annotations

import collections
import http.server
import ssl
import threading
import time
from pathlib import Path
from typing import Optional

import trustme

DRIP_INTERVAL_SECONDS = 0.5
DRIP_FOR_SECONDS = 30.0


class SlowCertServer:
    def __init__(self, chains: dict[str, bytes], workdir: Path) -> None:
        self.chains = chains
        self.requests: collections.Counter[str] = collections.Counter()
        self.ca = trustme.CA()
        self.ca_file = workdir / "cert-server-ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_file))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ca.issue_cert("127.0.0.1").configure_cert(context)
        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
        self._thread: Optional[threading.Thread] = None

    @property
    def origin(self) -> str:
        return f"https://127.0.0.1:{self._httpd.server_address[1]}"

    @property
    def env(self) -> dict[str, str]:
        return {"CRAMP_COACH_TEST_CERT_ORIGIN": self.origin, "CRAMP_COACH_TEST_CERT_ORIGIN_CA": str(self.ca_file)}

    def client_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        self.ca.configure_trust(context)
        return context

    def __enter__(self) -> "SlowCertServer":
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _handler(self) -> type:
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                server.requests[self.path] += 1
                chain = server.chains.get(self.path)
                if chain is not None:
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(chain)))
                    self.end_headers()
                    self.wfile.write(chain)
                    return
                self.send_response(200)
                self.send_header("Content-Length", "100000")
                self.end_headers()
                ends = time.monotonic() + DRIP_FOR_SECONDS
                try:
                    while time.monotonic() < ends:
                        self.wfile.write(b"-")
                        self.wfile.flush()
                        time.sleep(DRIP_INTERVAL_SECONDS)
                except OSError:
                    pass  # the client gave up, as it should

        return Handler
