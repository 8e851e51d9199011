"""Open the page, see the list, open issue 1, type a sentence: the file is
saved with it and the page it lands on is drawn again (that page only)."""

from common import *

url, publication = args()
with page(url) as pg:
    rows = pg.locator("tr.issue-row")
    check(rows.count() == 1, f"one issue in the list, saw {rows.count()}")
    row = rows.first.inner_text()
    for part in ["第1期", "2026-03-02", "云溪县部署春季安全生产工作"]:
        check(part in row, f"the list's row shows {part!r}: {row!r}")
    rows.first.click()
    pg.wait_for_selector(".cm-content", timeout=WAIT_MS)
    wait_pages(pg)
    before = page_hashes(pg)
    # The line numbers are the file's: the body's first line is line 11.
    first_number = pg.locator(".cm-lineNumbers .cm-gutterElement").nth(1).inner_text()
    check(first_number == "11", f"the editor's first line is numbered as in the file (11), saw {first_number}")
    check(pg.input_value("#field-number") == "1", "期号 in the form")
    check(pg.input_value("#field-total") == "17", "总期号 in the form")
    cursor_to_line(pg, 2)
    pg.keyboard.type("会议强调，要坚决守住安全底线。")
    wait_file(publication, lambda t: "部署下一阶段重点工作。会议强调，要坚决守住安全底线。" in t, "got the typed sentence")
    check(file_text(publication).startswith("+++\nnumber = 1\ndate = 2026-03-02\ntotal = 17\n"), "the front matter kept byte for byte")
    pg.wait_for_function(
        "old => { const f = document.querySelector('#pages figure.page'); return f && f.dataset.loaded && f.dataset.loaded !== old; }",
        arg=before[0],
        timeout=WAIT_MS,
    )
    wait_saved(pg)
    after = page_hashes(pg)
    check(after[0] != before[0], "page 1 drawn again")
    # The page image is the server's SVG of the new text.
    src = pg.locator("#pages figure.page img").first.get_attribute("src")
    check(src.startswith("pages/001/1.svg?v="), f"page 1 from the pages route, saw {src}")
    # Undo in the editor takes the sentence out, and the file follows.
    pg.locator(".cm-content").click()
    pg.keyboard.press("Control+z")
    wait_file(publication, lambda t: "会议强调" not in t, "lost the sentence after undo")
print("ok")
