"""Make an error as a clerk does (a heading typed 三.), see it in the
editor at its line and in the list with the file's line number, click it
to go there, and correct it with 一键修正: the file then has 三、."""

from common import *

url, publication = args()
with page(url, "001") as pg:
    wait_pages(pg)
    lines = editor_text(pg).split("\n")
    cursor_to_line(pg, len(lines))
    pg.keyboard.press("End")
    pg.keyboard.type("\n三.加强宣传教育\n")
    text = wait_file(publication, lambda t: "三.加强宣传教育" in t, "got the new heading")
    line = text.split("\n").index("三.加强宣传教育") + 1
    item = pg.locator(f'#problems li.problem[data-line="{line}"][data-code="heading-mark"]')
    item.wait_for(timeout=WAIT_MS)
    check(f"第 {line} 行" in item.inner_text(), f"the list says the file's line {line}: {item.inner_text()!r}")
    # In the editor: a lint mark on that line's text, and the gutter marker.
    pg.wait_for_selector(".cm-lintRange-warning, .cm-lintRange-error", timeout=WAIT_MS)
    marked = pg.evaluate(
        """() => { const v = window.jianbaoEditor; const el = document.querySelector('.cm-lintRange-warning, .cm-lintRange-error');
                   const pos = v.posAtDOM(el); return v.state.doc.lineAt(pos).text; }"""
    )
    check(marked == "三.加强宣传教育", f"the mark is on the heading's line, saw {marked!r}")
    number = pg.evaluate(
        """() => { const v = window.jianbaoEditor; const el = document.querySelector('.cm-lintRange-warning, .cm-lintRange-error');
                   const n = v.state.doc.lineAt(v.posAtDOM(el)).number;
                   const g = [...document.querySelectorAll('.cm-lineNumbers .cm-gutterElement')].find(e => e.textContent && v.state.doc.lineAt(v.lineBlockAtHeight(e.offsetTop + 2).from).number === n);
                   return g ? g.textContent : null; }"""
    )
    check(number == str(line), f"the gutter numbers that line {line}, saw {number}")
    # Click the problem: the cursor goes to its line.
    cursor_to_line(pg, 1)
    item.click()
    at = pg.evaluate("() => { const v = window.jianbaoEditor; return v.state.doc.lineAt(v.state.selection.main.head).text; }")
    check(at == "三.加强宣传教育", f"clicking the problem puts the cursor on its line, saw {at!r}")
    fix = pg.locator("#fix")
    pg.wait_for_function("() => !document.getElementById('fix').disabled", timeout=WAIT_MS)
    check("一键修正" in fix.inner_text(), "the fix button")
    # Its count is of places changed, and it says why the list's may differ.
    check("个地方" in fix.inner_text() and "合在一起" in (fix.get_attribute("title") or ""), f"the fix button's count: {fix.inner_text()!r}")
    # The problems' advice names the button, never a command.
    advice = pg.inner_text("#problems")
    check("jianbao check" not in advice, f"the problems' advice: {advice!r}")
    fix.click()
    wait_file(publication, lambda t: "三、加强宣传教育" in t and "三.加强" not in t, "got the fix")
    pg.wait_for_function("() => window.jianbaoEditor.state.doc.toString().includes('三、加强宣传教育')", timeout=WAIT_MS)
    pg.wait_for_function(
        "() => !document.querySelector('#problems li.problem[data-code=\"heading-mark\"]')", timeout=WAIT_MS
    )
    wait_saved(pg)

    # A date written 2026-3-2 in the file (by hand, elsewhere): the front
    # matter no longer reads; the page says so above the form, and the
    # problem stands at the date field.
    issue = publication / "issues" / "001.md"
    issue.write_text(issue.read_text(encoding="utf-8").replace("date = 2026-03-02", "date = 2026-3-2"), encoding="utf-8")
    pg.wait_for_selector("#front-unreadable", timeout=WAIT_MS)
    at = pg.locator('.field[data-field="date"] .field-problem')
    at.wait_for(timeout=WAIT_MS)
    check("2026-3-2" in at.inner_text(), f"the date's problem at the date field: {at.inner_text()!r}")
print("ok")
