"""新建一期 from the list makes issue 2 as `jianbao new` does, opens it
with the publication's 报/送/发 in the form; changing 份数 and a unit in
the form writes them to the file's front matter."""

from common import *

url, publication = args()
with page(url) as pg:
    # Where the masthead's name and the unit come from, said on the list.
    note = pg.inner_text("#masthead-note")
    check("jianbao.toml" in note and "编发单位" in note, f"the masthead note: {note!r}")
    pg.click("#new-issue")
    pg.wait_for_selector(".cm-content", timeout=WAIT_MS)
    pg.wait_for_function("() => location.hash.startsWith('#/issue/')", timeout=WAIT_MS)
    key = pg.evaluate("() => decodeURIComponent(location.hash.slice('#/issue/'.length))")
    check((publication / "issues" / f"{key}.md").is_file(), f"issues/{key}.md written")
    check(pg.input_value("#field-number") == "2", "期号 2")
    pg.click("#lists-summary")
    units = pg.eval_on_selector_all(".unit-list[data-list='bao'] input", "els => els.map(e => e.value)")
    check(units == ["市应急管理局", "县委办公室"], f"报 as the publication's defaults: {units}")
    pg.fill("#field-copies", "150")
    pg.locator(".unit-list[data-list='fa'] input").first.fill("各乡镇人民政府")
    text = wait_file(publication, lambda t: "copies = 150" in t and "各乡镇人民政府" in t, "got the form's values", key=key)
    front = text.split("+++")[1]
    check("各乡镇人民政府" in front, f"the unit in the front matter: {front}")
    wait_saved(pg)
    pg.click("a.back")
    pg.wait_for_selector("table.issues", timeout=WAIT_MS)
    check(pg.locator("tr.issue-row").count() == 2, "two issues in the list")
print("ok")
