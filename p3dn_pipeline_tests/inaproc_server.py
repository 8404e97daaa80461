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
import time
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
    at: float = field(default_factory=time.monotonic)  # when the request came in

    @property
    def cursor(self) -> str:
        return self.query.get("cursor", "")


# The field names v1/ekatalog/paket-e-purchasing serves e-katalog v6 orders under, as
# independent public clients of the API read them (DOMAIN.md 2.1 for order_id, total, status,
# kode_klpd; the rest from those clients, defs/lkpp/README.md), for the ISB export's names.
# Written out here, not taken from the code under test. kode_satker carrying the dotted
# kd_satker_str is an assumption (never seen from the live service).
V6_FIELDS_AS_SERVED = {
    "tahun_anggaran": "fiscal_year", "kd_klpd": "kode_klpd", "kd_satker_str": "kode_satker",
    "kd_paket": "order_id", "kd_rup": "rup_code", "product_ids": "product_id",
    "kd_penyedia_v6": "kode_penyedia", "total_harga": "total", "tgl_order": "order_date",
    "status_pkt": "status", "sumber_dana": "funding_source", "rup_nama_pkt": "rup_name",
    "jml_jenis_produk": "count_product", "jml_produk": "total_qty", "ongkir": "shipping_fee",
    "status_pengiriman": "shipment_status", "nama_satker": "nama_satker", "mak": "mak",
}


def v6_order_as_served(order: dict) -> dict:
    """An ISB export's v6 order as the v1 endpoint serves it: its names, the fields the API
    adds (the private-sector flag, the PPK's NIP and name), without those it lacks."""
    served = {V6_FIELDS_AS_SERVED[name]: value for name, value in order.items()
              if name in V6_FIELDS_AS_SERVED}
    served.update({"is_swasta": False, "flag_minikom": "Ya",
                   "rup_nip_ppk": "198001012006041001", "rup_nama_ppk": "Nama PPK Uji"})
    return served


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
        # Paths whose first page is answered only once each of them has been asked for: two
        # clients started together then surely overlap, however late one process starts.
        self.first_pages_together: set[str] = set()
        self._first_pages_asked: set[str] = set()
        self._first_page_asked = threading.Condition()
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
        if cursor == "" and path in self.first_pages_together:
            with self._first_page_asked:
                self._first_pages_asked.add(path)
                self._first_page_asked.notify_all()
                self._first_page_asked.wait_for(
                    lambda: self.first_pages_together <= self._first_pages_asked, timeout=120)
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
