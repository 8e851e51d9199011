"""The form says what to type, in plain words, and never writes a wrong
value: 第3期 in 期号 is the number 3; 一百 in 份数 and a date in the year
82026 are refused at their field with what to type, the file keeps its
date and copies; a unit with a line break never breaks the file."""

from common import *

url, publication = args()
with page(url, issue="001") as pg:
    before = file_text(publication)
    pg.fill("#field-number", "第3期")
    wait_file(publication, lambda t: "number = 3\n" in t, "期号 第3期 written as 3", pg=pg)
    wait_saved(pg)

    pg.fill("#field-copies", "一百")
    note = pg.locator(".field[data-field='copies'] .field-note")
    note.wait_for(timeout=WAIT_MS)
    check("阿拉伯数字" in note.inner_text(), f"份数 says what to type: {note.inner_text()!r}")
    pg.fill("#field-copies", "")

    # A date typed into the wrong part of the box: the year 82026.
    pg.evaluate(
        """() => { const i = document.getElementById('field-date'); i.value = '82026-12-07';
                   i.dispatchEvent(new Event('input', {bubbles: true})); }"""
    )
    note = pg.locator(".field[data-field='date'] .field-note")
    note.wait_for(timeout=WAIT_MS)
    said = note.inner_text()
    check("82026" in said and "date" not in said and "引号" not in said, f"the date's note: {said!r}")
    # The body still saves meanwhile; the file keeps its date.
    cursor_to_line(pg, 1)
    pg.keyboard.type("甲")
    wait_file(publication, lambda t: "甲" in t, "the body saved while the date is wrong", pg=pg)
    text = file_text(publication)
    check("82026" not in text and "date = 2026-03-02" in text, f"the date kept: {text[:200]!r}")
    check(text.count("\n+++") + text.startswith("+++") >= 2, "the front matter whole")
print("ok")
