"""The server gives free memory back once no request is in progress, not while one is."""

from __future__ import annotations

import threading
import time

from webapp.server import TrimWhenIdle


def test_trims_once_after_the_last_request_and_never_during_one(monkeypatch):
    monkeypatch.setattr(TrimWhenIdle, "DELAY", 0.05)
    trims: list[int] = []
    release = threading.Event()
    running = threading.Event()

    def app(environ, start_response):
        if environ.get("slow"):
            running.set()
            release.wait(5)
        return [b"ok"]

    middleware = TrimWhenIdle(app, trim=lambda: trims.append(1))
    slow = threading.Thread(target=middleware, args=({"slow": True}, None))
    slow.start()
    running.wait(5)
    for _ in range(5):
        middleware({}, None)  # quick requests while the slow one runs
    time.sleep(0.2)
    assert trims == []  # a request is still in progress
    release.set()
    slow.join()
    assert wait_for(lambda: trims == [1])  # once, after the last one ended
    time.sleep(0.2)
    assert trims == [1]
    middleware({}, None)
    assert wait_for(lambda: trims == [1, 1])


def wait_for(condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True
