"""An issue (tests/fixtures/browser/clerk-hostile) with <script>, </textarea> and
"><img onerror> in every field, the body and the publication's lists: the
page shows every one as text and runs none."""

from common import *

ATTACK = '<script>document.documentElement.dataset.pwned=1</script></textarea>"><img src=x onerror=document.documentElement.dataset.pwned=2>'

url, publication = args()
with page(url) as pg:
    dialogs = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pg.wait_for_selector("tr.issue-row", timeout=WAIT_MS)
    row = pg.locator("tr.issue-row").first.inner_text()
    check(ATTACK in row, f"the title shows as text in the list: {row!r}")
    pg.goto(url + "#/issue/001")
    pg.wait_for_selector(".cm-content", timeout=WAIT_MS)
    pg.wait_for_selector("#problems li", timeout=WAIT_MS)
    pg.wait_for_timeout(1500)
    body = editor_text(pg)
    check(body.count(ATTACK) == 7, f"the body's seven lines as typed in the editor: {body!r}")
    for field in ["classification", "serial"]:
        value = pg.input_value(f"#field-{field}")
        check(ATTACK in value, f"{field} shows as text: {value!r}")
    units = pg.eval_on_selector_all(".unit-list input", "els => els.map(e => e.value)")
    check(len(units) >= 4 and all(ATTACK in u for u in units), f"every unit as text: {units}")
    problems = pg.locator("#problems").inner_text()
    check("太长" in problems, f"the problems of the fields listed: {problems!r}")
    # A front-matter problem stands at its field too.
    for field in ["classification", "serial"]:
        at = pg.locator(f'.field[data-field="{field}"] .field-problem')
        check(at.count() == 1 and "太长" in at.inner_text(), f"{field}'s problem at its field")
    pwned = pg.evaluate("() => document.documentElement.dataset.pwned || null")
    check(pwned is None, f"script from the issue ran: pwned={pwned}")
    check(pg.locator("img[src='x']").count() == 0, "an <img> from the issue was made")
    check(pg.locator("script").count() == 1, "a <script> from the issue was made")
    check(not dialogs, f"dialogs: {dialogs}")
    # Edited and saved, still text.
    cursor_to_line(pg, 1)
    pg.keyboard.type("x")
    wait_file(publication, lambda t: "x\n# 标题" in t or "x\n" in t, "got the edit")
    pg.wait_for_timeout(1000)
    check(pg.evaluate("() => document.documentElement.dataset.pwned || null") is None, "nothing ran after a save")
print("ok")
