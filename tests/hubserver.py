"""A stand-in for the Hugging Face hub on 127.0.0.1: the internet faked at the network edge.

It answers what huggingface_hub asks of `/{repo}/resolve/{revision}/{file}`: HEAD with the
ETag (the LFS sha256), X-Repo-Commit and Content-Length; GET with Range support. It records every
request and the bytes it sent, and can drop a connection part-way, once, to test resuming.
"""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

COMMIT = "0123456789abcdef0123456789abcdef01234567"
PATH = re.compile(r"^/(?P<repo>[^/]+/[^/]+)/resolve/(?P<rev>[^/]+)/(?P<file>.+)$")


@dataclass
class Served:
    method: str
    path: str
    range: str | None
    status: int
    sent: int = 0


@dataclass
class FakeHub:
    files: dict[tuple[str, str], bytes] = field(default_factory=dict)
    etags: dict[tuple[str, str], str] = field(default_factory=dict)  # override the sha256 claim
    gated: set[str] = field(default_factory=set)
    drop_after: dict[tuple[str, str], int] = field(default_factory=dict)  # once, then cleared
    log: list[Served] = field(default_factory=list)

    def add(self, repo: str, name: str, data: bytes) -> str:
        self.files[(repo, name)] = data
        return hashlib.sha256(data).hexdigest()

    def gets(self, name: str) -> list[Served]:
        return [s for s in self.log if s.method == "GET" and s.path.endswith("/" + name)]

    def start(self) -> str:
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep the test output clean
                pass

            def do_HEAD(self):
                self._answer(body=False)

            def do_GET(self):
                self._answer(body=True)

            def _answer(self, body: bool) -> None:
                served = Served(self.command, self.path, self.headers.get("Range"), 200)
                hub.log.append(served)
                match = PATH.match(self.path.split("?")[0])
                key = (match["repo"], match["file"]) if match else None
                if key is not None and key[0] in hub.gated:
                    return self._error(served, 401, "GatedRepo", "Access to model is restricted")
                if key is None or key not in hub.files:
                    return self._error(served, 404, "EntryNotFound", "Entry not found")
                data = hub.files[key]
                etag = hub.etags.get(key, hashlib.sha256(data).hexdigest())
                start = 0
                if body and served.range:
                    start = int(re.match(r"bytes=(\d+)-", served.range).group(1))
                    if start >= len(data):
                        return self._error(served, 416, "", "Range Not Satisfiable")
                served.status = 206 if start else 200
                self.send_response(served.status)
                self.send_header("ETag", f'"{etag}"')
                self.send_header("X-Repo-Commit", COMMIT)
                self.send_header("Accept-Ranges", "bytes")
                self.send_header("Content-Length", str(len(data) - start))
                if start:
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                self.end_headers()
                if not body:
                    return
                stop = len(data)
                drop = hub.drop_after.pop(key, None)
                if drop is not None:
                    stop = min(stop, start + drop)
                for i in range(start, stop, 65536):
                    chunk = data[i:min(i + 65536, stop)]
                    try:
                        self.wfile.write(chunk)
                    except OSError:  # the client went away
                        self.close_connection = True
                        return
                    served.sent += len(chunk)
                if drop is not None:  # promised more than it sent: the client sees a cut
                    self.wfile.flush()
                    self.close_connection = True

            def _error(self, served: Served, status: int, code: str, message: str) -> None:
                served.status = status
                self.send_response(status)
                if code:
                    self.send_header("X-Error-Code", code)
                self.send_header("X-Error-Message", message)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)
