"""Screenshots of the real pages for the README: the demo archive (fixtures/) imported into a
temporary home, served by ``arkhiv serve``, photographed in Debian's chromium by Playwright.

Run with the venv's python from the repository (``make docs-images``); writes docs/images/*.png.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.web_fixtures import CHROMIUM, CHROMIUM_ARGS, import_fixtures, serve_archive  # noqa: E402

IMAGES = ROOT / "docs" / "images"
# Small enough for a README, wide enough for the search page's facet column beside its results.
VIEWPORT = {"width": 1024, "height": 700}

# (file, path on the served archive, the part of the page to scroll to (None: its top))
SHOTS = [
    ("search.png", "/?q=%D0%A3%D0%BA%D1%80%D0%B0%D1%97%D0%BD%D0%B0", None),
    ("copies.png", "/?q=embankment", None),
    ("article.png", "/article/poltava-embankment-original", ".copies-list"),
    ("explore.png", "/explore?q=Kyiv&q=war&interval=year", None),
]


def take(out: Path = IMAGES) -> list[Path]:
    """Import the demo archive, serve it, and write one PNG per page of SHOTS into ``out``."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="arkhiv-screenshots-") as tmp:
        home = import_fixtures(Path(tmp) / "home", "seed.json", "articles.jsonl", "copies.jsonl")
        served = serve_archive(home, Path(tmp) / "serve.log", ARKHIV_FOLLOW="0")
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
                )
                page = browser.new_page(viewport=VIEWPORT, locale="en-GB")
                for name, path, part in SHOTS:
                    page.goto(served.url + path, wait_until="networkidle")
                    if part:  # at the foot of the window, the page above it in view
                        page.locator(part).evaluate("e => e.scrollIntoView({block: 'end'})")
                    target = out / name
                    page.screenshot(path=str(target))
                    written.append(target)
                browser.close()
        finally:
            served.stop()
    return written


if __name__ == "__main__":
    for image in take():
        print(f"{image.relative_to(ROOT)}: {image.stat().st_size:,} bytes")
