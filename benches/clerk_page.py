#!/usr/bin/env python3
"""From a keystroke to the page redrawn, in the clerk's page, for issue 4.

Starts the release binary's `jianbao serve` on a copy of this repository's
publication (jianbao.toml, issues/, images/ if any), opens 第4期 in
Debian's Chromium through Playwright (pip install playwright; no browser
download), and types one character at a time into the first paragraph, ROUNDS
times, each a character not typed before in this run (so that every
round's page 1 is new: a page seen before comes from the browser's image
cache). Each round is timed
in the page with performance.now(): from the keydown event to the next
animation frame after page 1's new picture has loaded and replaced the
old one (the page dispatches `jianbao:page` then). Prints min, median and
max in milliseconds.

    cargo build --release && python3 benches/clerk_page.py [ROUNDS]
"""

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
BINARY = Path(os.environ.get("JIANBAO", REPO / "target/release/jianbao"))
CHROMIUM = os.environ.get("JIANBAO_CHROMIUM", "/usr/bin/chromium")
ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 30
# Typed one after another into the paragraph: every prefix is new text.
KEYS = "1234567890abcdefghijklmnopqrstuvwxyz"


def main():
    if not BINARY.is_file():
        sys.exit(f"no {BINARY}: cargo build --release first")
    with tempfile.TemporaryDirectory() as temp:
        pub = Path(temp) / "pub"
        pub.mkdir()
        shutil.copy(REPO / "jianbao.toml", pub)
        shutil.copytree(REPO / "issues", pub / "issues")
        if (REPO / "images").is_dir():
            shutil.copytree(REPO / "images", pub / "images")
        serve = subprocess.Popen(
            [str(BINARY), "serve"], cwd=pub, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        try:
            url = serve.stdout.readline().strip().split("#")[0]
            times = measure(url)
        finally:
            serve.kill()
            serve.wait()
    times.sort()
    print(f"keystroke to page 1 redrawn, issue 4, {len(times)} rounds (release binary, {os.cpu_count()} cores)")
    print(f"min {times[0]:.0f} ms, median {statistics.median(times):.0f} ms, max {times[-1]:.0f} ms")


def measure(url):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(url + "#/issue/004")
        page.wait_for_selector(".cm-content", timeout=60_000)
        page.wait_for_function(
            "() => { const f = [...document.querySelectorAll('#pages figure.page')];"
            " return f.length > 0 && f.every(x => x.dataset.loaded === x.dataset.hash); }",
            timeout=60_000,
        )
        page.evaluate(
            """() => {
                 window.benchKeyAt = null;
                 window.benchDone = [];
                 document.addEventListener('keydown', () => { window.benchKeyAt = performance.now(); }, true);
                 window.addEventListener('jianbao:page', (e) => {
                   if (e.detail.page !== 1 || window.benchKeyAt === null) return;
                   const start = window.benchKeyAt;
                   window.benchKeyAt = null;
                   requestAnimationFrame(() => window.benchDone.push(performance.now() - start));
                 });
                 // The cursor in the first paragraph of the body (line 4 of the body).
                 const v = window.jianbaoEditor;
                 const line = v.state.doc.line(5);
                 v.dispatch({selection: {anchor: line.from + 10}});
                 v.focus();
               }"""
        )
        times = []
        for i in range(ROUNDS):
            page.keyboard.press(KEYS[i % len(KEYS)])
            page.wait_for_function(f"() => window.benchDone.length > {i}", timeout=60_000)
            times.append(page.evaluate(f"() => window.benchDone[{i}]"))
            time.sleep(0.2)
        browser.close()
        return times


if __name__ == "__main__":
    main()
