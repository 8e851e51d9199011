"""The file changed on disk while the clerk had the page open.

1. Nothing unsaved on the page: the page reads the new file in quietly.
2. The clerk types while the disk changed under the page (the server's
   change events held back, so the page learns it from its save's 409): the
   conflict view shows both texts; 用我的 writes the clerk's, and after a
   second conflict 用磁盘上的 puts the disk's text in the editor.
"""

import time

from common import *

url, publication = args()
issue = publication / "issues" / "001.md"

with page(url, "001") as pg:
    wait_pages(pg)
    wait_saved(pg)
    text = issue.read_text(encoding="utf-8")
    issue.write_text(text.replace("开展拉网式排查。", "开展拉网式排查（磁盘上改的）。"), encoding="utf-8")
    pg.wait_for_function(
        "() => window.jianbaoEditor.state.doc.toString().includes('磁盘上改的')", timeout=WAIT_MS
    )
    check(pg.locator("#conflict").count() == 0, "no conflict view when nothing was unsaved")

# The page hears no change events: it finds out on saving.
with page(url, "001", events=False) as pg:
    wait_pages(pg)
    wait_saved(pg)
    text = issue.read_text(encoding="utf-8")
    issue.write_text(text.replace("主要负责同志亲自抓、负总责。", "主要负责同志亲自抓、负总责（同事改的）。"), encoding="utf-8")
    cursor_to_line(pg, 1)
    pg.keyboard.insert_text("（我改的）")
    pg.wait_for_selector("#conflict", timeout=WAIT_MS)
    disk = pg.locator("#conflict-disk").inner_text()
    mine = pg.locator("#conflict-mine").inner_text()
    check("同事改的" in disk and "我改的" not in disk, f"the disk side: {disk!r}")
    check("我改的" in mine and "同事改的" not in mine, f"my side: {mine!r}")
    pg.click("#keep-mine")
    wait_file(publication, lambda t: "我改的" in t and "同事改的" not in t, "got my text after 用我的")
    wait_saved(pg)

    text = issue.read_text(encoding="utf-8")
    issue.write_text(text.replace("分析当前形势", "分析当前形势（又一次磁盘上改的）"), encoding="utf-8")
    pg.keyboard.insert_text("（我又改的）")
    pg.wait_for_selector("#conflict", timeout=WAIT_MS)
    pg.click("#keep-disk")
    pg.wait_for_function(
        "() => { const t = window.jianbaoEditor.state.doc.toString(); return t.includes('又一次磁盘上改的') && !t.includes('我又改的'); }",
        timeout=WAIT_MS,
    )
    check("又一次磁盘上改的" in issue.read_text(encoding="utf-8"), "the disk's text stays")
    check("我又改的" not in issue.read_text(encoding="utf-8"), "mine is not written")

# 3. With the events: a change on disk while the clerk's typing is not yet
# saved shows the conflict view too (from the event or from the save).
with page(url, "001") as pg:
    wait_pages(pg)
    wait_saved(pg)
    # Each save held back 1.5 s, so that the change on disk comes first.
    pg.route("**/api/issues/**", lambda route: (time.sleep(1.5), route.continue_()) if route.request.method == "PUT" else route.continue_())
    cursor_to_line(pg, 1)
    pg.keyboard.insert_text("（第三次我改的）")
    text = issue.read_text(encoding="utf-8")
    issue.write_text(text.replace("拉网式排查", "拉网式排查（第三次磁盘上改的）"), encoding="utf-8")
    pg.wait_for_selector("#conflict", timeout=WAIT_MS)
    check(pg.locator("#conflict").count() == 1, "one conflict view")
    pg.click("#keep-mine")
    wait_file(publication, lambda t: "第三次我改的" in t and "第三次磁盘上改的" not in t, "got my text", pg=pg)
print("ok")
