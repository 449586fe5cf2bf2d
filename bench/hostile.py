"""The hostile requests of the web-hardening issue against ``arkhiv serve``: what each gets, how
long it takes, and whether searches go on meanwhile.

    python -m bench.hostile --home $ARKHIV_BENCH_DATA/arkhiv-100000

Each row sends the request as a visitor would (raw sockets where headers or silence matter) and
prints the status and the seconds. Nothing is asserted: the tests do that
(``tests/test_hostile_requests.py``); this measures at the size users have.
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from bench.run import ROOT, ArkhivServer, save_results


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # report the redirect itself, do not follow it


_OPENER = urllib.request.build_opener(_NoRedirect)


def _get(url: str, headers: dict | None = None, timeout: float = 300) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _timed(url: str, headers: dict | None = None) -> dict:
    started = time.perf_counter()
    status, headers_out, body = _get(url, headers)
    return {
        "status": status,
        "seconds": round(time.perf_counter() - started, 3),
        "bytes": len(body),
        "location": headers_out.get("Location"),
        "vary": headers_out.get("Vary"),
        "allow": headers_out.get("Allow"),
        "notices": _notices(body),
    }


def _notices(body: bytes) -> list[str] | None:
    try:
        return json.loads(body).get("notices")
    except (ValueError, AttributeError):
        return None


def _raw(port: int, head: bytes, read: bool = True) -> tuple[str, float]:
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=120) as sock:
        sock.sendall(head)
        answer = sock.recv(4096).decode(errors="replace") if read else ""
    return answer.split("\r\n")[0], round(time.perf_counter() - started, 3)


def silent_readers(server: ArkhivServer, count: int = 8) -> dict:
    """``count`` clients ask for a full export and read nothing; meanwhile, searches."""
    sockets = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=600)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.sendall(b"GET /export?format=jsonl HTTP/1.1\r\nHost: localhost\r\n\r\n")
        sockets.append(sock)
    time.sleep(2)
    searches = [_timed(server.url("/api/search?q=war")) for _ in range(5)]
    heads = []
    for sock in sockets:
        sock.settimeout(600)
        heads.append(sock.recv(200).decode(errors="replace").split("\r\n")[0])
        sock.close()
    return {
        "searches_meanwhile_s": [s["seconds"] for s in searches],
        "search_statuses": [s["status"] for s in searches],
        "export_answers": heads,
    }


def long_phrases_at_once(server: ArkhivServer) -> dict:
    """Eight long phrases at once, and a plain search meanwhile."""
    phrase = '"' + " ".join(["the"] * 240) + '"'
    url = server.url("/api/search?" + urllib.parse.urlencode({"q": phrase}))
    results: list[dict] = []
    threads = [threading.Thread(target=lambda: results.append(_timed(url))) for _ in range(8)]
    for thread in threads:
        thread.start()
    plain = _timed(server.url("/api/search?q=war"))
    for thread in threads:
        thread.join()
    return {"phrases": [(r["status"], r["seconds"]) for r in results], "war_meanwhile": plain}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    rows: dict = {}
    with ArkhivServer(args.home, threads=8) as server:
        q40 = '"' + " ".join(["the"] * 40) + '"'
        q12 = '"' + " ".join(["the"] * 12) + '"'
        for name, path in {
            "phrase of 40 words": "/api/search?" + urllib.parse.urlencode({"q": q40}),
            "phrase of 12 common words": "/api/search?" + urllib.parse.urlencode({"q": q12}),
            "feed, phrase of 40 words": "/feed?" + urllib.parse.urlencode({"q": q40}),
            "export, phrase of 40 words": "/export?" + urllib.parse.urlencode({"q": q40}),
            "next=/%09/evil.example/x": "/language/en?next=/%09/evil.example/x",
            "next=/%0A/x": "/language/en?next=/%0A/x",
            "from=9999-01&to=9999": "/api/search?from=9999-01&to=9999",
            "q=published:abc": "/api/search?q=published:abc",
            'q=day:"1 2"': "/api/search?q=" + urllib.parse.quote('day:"1 2"'),
            "feed?q=%01": "/feed?q=%01",
            "api/search (Vary)": "/api/search?q=war",
            "feed (Vary)": "/feed?q=war",
        }.items():
            rows[name] = _timed(server.url(path))
        rows["Host: evil.example"] = _timed(
            server.url("/feed?q=war"), headers={"Host": "evil.example"}
        )
        head, seconds = _raw(
            server.port,
            b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 400000000\r\n\r\n" + b"x" * 64,
        )
        rows["POST / with 400 MB announced"] = {"answer": head, "seconds": seconds}
        head, seconds = _raw(server.port, b"POST /api/search HTTP/1.1\r\nHost: localhost\r\n\r\n")
        rows["POST /api/search"] = {"answer": head, "seconds": seconds}
        started = time.perf_counter()
        status, _, body = _get(server.url("/export?format=jsonl"))
        rows["full export"] = {
            "status": status,
            "seconds": round(time.perf_counter() - started, 2),
            "lines": body.count(b"\n"),
        }
        rows["eight long phrases at once"] = long_phrases_at_once(server)
        rows["eight silent export readers"] = silent_readers(server)
    print(json.dumps(rows, indent=2, ensure_ascii=False))
    save_results(args.out, "hostile", rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
