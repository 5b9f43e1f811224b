"""Screenshots of the bundled show's episode page for the README: docs/episode-1280.png and
docs/episode-360.png, in headless Chromium, the build made with the recorded transcript.

    .venv/bin/python scripts/screenshots.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.site.serve import server  # noqa: E402
from tests.golden import REPO, build_replayed, copy_show  # noqa: E402

DOCS = REPO / "docs"
PAGE = "episodes/000-bande-annonce/"


def chromium():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--mute-audio",
        "--disable-background-networking",
        "--disable-component-update",
    ):
        options.add_argument(flag)
    return webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver")))


def shoot(browser, url: str, width: int, height: int, path: Path, sentence: int | None) -> None:
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})
    browser.get(url)
    if sentence is not None:  # a sentence being heard, highlighted under the player
        browser.find_elements("css selector", "a.sentence")[sentence].click()
        browser.execute_script("document.getElementById('player').pause()")
        browser.execute_script("document.activeElement.blur()")
        browser.execute_script("document.querySelector('a.sentence.current').scrollIntoView({block: 'center'})")
    browser.save_screenshot(str(path))


def main() -> None:
    DOCS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        root = copy_show(Path(work) / "show")
        build_replayed(root)
        preview = server(root / "public", 0)
        threading.Thread(target=preview.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{preview.server_address[1]}/{PAGE}"
        browser = chromium()
        try:
            shoot(browser, url, 1280, 900, DOCS / "episode-1280.png", sentence=5)
            shoot(browser, url, 360, 780, DOCS / "episode-360.png", sentence=None)
        finally:
            browser.quit()
            preview.shutdown()
    for name in ("episode-1280.png", "episode-360.png"):
        print(DOCS / name, (DOCS / name).stat().st_size, "bytes")


if __name__ == "__main__":
    main()
