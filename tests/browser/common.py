"""What every case of the clerk's page needs: Chromium (Debian's, through
Playwright's Python API), the page open at an issue, and waits that end.

A case is `case_<name>.py URL PUBLICATION`: URL is what `jianbao serve`
printed, PUBLICATION the folder it serves (a copy of a fixture). It exits
non-zero with what it saw when the page does not do what it must.
"""

import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import sync_playwright

# Long enough for a cold debug build of a page on a loaded machine.
WAIT_MS = 60_000


def args():
    if len(sys.argv) != 3:
        sys.exit("usage: case_….py URL PUBLICATION")
    url = sys.argv[1]
    if "#" in url:
        url = url.split("#", 1)[0]
    return url, Path(sys.argv[2])


@contextmanager
def browser():
    chromium = os.environ.get("JIANBAO_CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            yield b
        finally:
            b.close()


@contextmanager
def page(url, issue=None, viewport=(1400, 900), accept_downloads=False, events=True):
    """A page at the issue list, or at an issue's editor when `issue` is
    given (its key, "001"). Without `events` the page never hears the
    server's change events (it learns of a change on disk when it saves)."""
    with browser() as b:
        context = b.new_context(
            viewport={"width": viewport[0], "height": viewport[1]},
            accept_downloads=accept_downloads,
            locale="zh-CN",
        )
        pg = context.new_page()
        errors = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.errors = errors
        if not events:
            pg.route("**/api/events", lambda route: route.abort())
        target = url + (f"#/issue/{issue}" if issue else "")
        pg.goto(target)
        if issue:
            pg.wait_for_selector(".cm-content", timeout=WAIT_MS)
        else:
            pg.wait_for_selector("table.issues, .list .empty", timeout=WAIT_MS)
        yield pg
        if errors:
            fail("the page threw: " + "; ".join(errors))


def fail(message):
    print("FAILED:", message, file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def editor_text(pg):
    return pg.evaluate("() => window.jianbaoEditor.state.doc.toString()")


def wait_pages(pg):
    """The pages of the issue are on the page, every one loaded."""
    pg.wait_for_function(
        """() => { const f = [...document.querySelectorAll('#pages figure.page')];
                   return f.length > 0 && f.every(x => x.dataset.loaded === x.dataset.hash); }""",
        timeout=WAIT_MS,
    )


def page_hashes(pg):
    return pg.evaluate("() => [...document.querySelectorAll('#pages figure.page')].map(f => f.dataset.loaded)")


def wait_saved(pg):
    pg.wait_for_function(
        "() => document.getElementById('save-state').textContent === '已保存'", timeout=WAIT_MS
    )


def cursor_to_line(pg, body_index):
    """The cursor at the end of the body's line `body_index` (1-based)."""
    pg.evaluate(
        """n => { const v = window.jianbaoEditor; const l = v.state.doc.line(n);
                  v.dispatch({selection: {anchor: l.to}}); v.focus(); }""",
        body_index,
    )


def file_text(publication, key="001"):
    return (publication / "issues" / f"{key}.md").read_text(encoding="utf-8")


def wait_file(publication, predicate, what, key="001", seconds=60, pg=None):
    """Waits for the issue file to hold what `predicate` wants. With `pg`,
    waits through the page (Playwright runs a case's route handlers only
    while it is called)."""
    deadline = time.time() + seconds
    text = ""
    while time.time() < deadline:
        text = file_text(publication, key)
        if predicate(text):
            return text
        if pg is not None:
            pg.wait_for_timeout(100)
        else:
            time.sleep(0.1)
    seen = ""
    if pg is not None:
        seen = pg.evaluate(
            "() => `save state: ${document.getElementById('save-state').textContent}; conflict views: ${document.querySelectorAll('#conflict').length}`"
        )
    fail(f"the file never {what} ({seen}); it holds:\n{text}")
