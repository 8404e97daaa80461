"""A stand-in for the INAPROC data API on 127.0.0.1, answering as the real one does (from the
public client code): ``Authorization: Bearer`` checked, v1 pages ``{"data", "meta":
{"has_more", "cursor"}}``, legacy bare arrays, errors ``{"error": {"message", "details"}}``.

Each endpoint is scripted: per cursor ("" for the first page), a list of answers given in
turn, the last one repeated. Every request is recorded, headers included, and one cursor can
be made to stall until the test releases it.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Answer:
    status: int = 200
    body: object = None             # JSON-encoded unless bytes
    headers: dict = field(default_factory=dict)
    drop: bool = False              # close the connection without answering


@dataclass
class Seen:
    path: str
    query: dict
    headers: dict

    @property
    def cursor(self) -> str:
        return self.query.get("cursor", "")


def paged(records: list[dict], sizes: list[int], prefix: str = "c") -> dict[str, list[Answer]]:
    """Answers for v1 pages of the given sizes, cursor ``c1``, ``c2``, ... between them."""
    answers, start = {}, 0
    for number, size in enumerate(sizes, 1):
        last = number == len(sizes)
        meta = {"has_more": not last, "cursor": "" if last else f"{prefix}{number}"}
        answers["" if number == 1 else f"{prefix}{number - 1}"] = [
            Answer(body={"data": records[start:start + size], "meta": meta})]
        start += size
    return answers


def error(status: int, message: str, details: str = "", headers: dict | None = None) -> Answer:
    return Answer(status, {"error": {"message": message, "details": details}}, headers or {})


class FakeInaproc:
    def __init__(self, token: str):
        self.token = token
        self.routes: dict[str, dict[str, list[Answer]]] = {}
        self.seen: list[Seen] = []
        self.stall_at: tuple[str, str] | None = None  # (path, cursor)
        self.stalled = threading.Event()
        self.release = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                fake._answer(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api"

    def __enter__(self) -> FakeInaproc:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def requests_to(self, path: str) -> list[Seen]:
        return [seen for seen in self.seen if seen.path == path]

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        url = urlsplit(handler.path)
        path = url.path.removeprefix("/api/")
        query = {key: values[-1] for key, values in parse_qs(url.query).items()}
        self.seen.append(Seen(path, query, {k.lower(): v for k, v in handler.headers.items()}))
        if handler.headers.get("Authorization") != f"Bearer {self.token}":
            return self._send(handler, error(401, "Unauthorized", "invalid or expired token"))
        cursor = query.get("cursor", "")
        if self.stall_at == (path, cursor):
            self.stalled.set()
            self.release.wait(timeout=120)
        answers = self.routes.get(path, {}).get(cursor)
        if not answers:
            return self._send(handler, error(404, "Not Found", f"no such page: {path}"))
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        if answer.drop:
            handler.close_connection = True
            handler.connection.close()
            return
        self._send(handler, answer)

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, answer: Answer) -> None:
        body = answer.body if isinstance(answer.body, bytes) else json.dumps(answer.body).encode()
        try:
            handler.send_response(answer.status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(body)))
            for name, value in answer.headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client was killed while this page stalled
