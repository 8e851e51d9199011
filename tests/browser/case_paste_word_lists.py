"""Word's real clipboard structure (tests/fixtures/clipboard/word-lists-cells.html,
written by hand in the form of Word 2016's "HTML Format"; SOURCES.md) pasted
into the editor: every list number Word shows kept as text (a. i. A. I. a)
(a) １． 甲、), only bullet glyphs dropped; a Shift+Enter <br> joined as
import joins a .docx's line break; a table cell's paragraphs kept with their
numbers; pictures in cells and VML-only pictures said, a layout table of
pictures not pasted as empty rows; each paste's notes replace the last's."""

import os
from pathlib import Path

from common import *

url, publication = args()
repo = Path(os.environ.get("JIANBAO_REPO", Path(__file__).resolve().parents[2]))


def fixture(name):
    return (repo / "tests/fixtures/clipboard" / name).read_text(encoding="utf-8")


def paste(pg, html, wait=True):
    """Pastes `html` in place of the whole body; the body's lines and the notes shown."""
    pg.evaluate(
        """() => { const v = window.jianbaoEditor;
             v.dispatch({changes: {from: 0, to: v.state.doc.length, insert: "旧的一段。"}});
             v.dispatch({selection: {anchor: 0, head: v.state.doc.length}}); v.focus(); }"""
    )
    before = editor_text(pg)
    pg.evaluate(
        """(html) => { const data = new DataTransfer();
             data.setData('text/html', html); data.setData('text/plain', '\\r\\n');
             document.querySelector('.cm-content').dispatchEvent(
               new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true})); }""",
        html,
    )
    if wait:
        pg.wait_for_function(
            "(before) => window.jianbaoEditor.state.doc.toString() !== before", arg=before, timeout=WAIT_MS
        )
    else:
        pg.wait_for_function(
            "() => !document.getElementById('paste-notes').hidden", timeout=WAIT_MS
        )
    pg.wait_for_timeout(300)
    notes = pg.evaluate("() => { const b = document.getElementById('paste-notes'); return b.hidden ? '' : b.innerText; }")
    return editor_text(pg).split("\n"), notes


def has(lines, expected, what):
    check(expected in lines, f"{what}: the line {expected!r} in:\n" + "\n".join(lines))


with page(url, "001") as pg:
    wait_pages(pg)
    lines, notes = paste(pg, fixture("word-lists-cells.html"))
    text = "\n".join(lines)
    for number, item in [
        ("a.", "检查危险化学品企业"),
        ("i.", "核查储存场所"),
        ("b.", "检查建筑施工工地"),
        ("A.", "城区片区"),
        ("I.", "第一阶段"),
        ("a）", "排查隐患"),
        ("（a）", "整改落实"),
        ("甲、", "强化督导检查"),
    ]:
        check(any(l.replace("**", "").startswith(number + item) for l in lines), f"{number}{item} keeps its number:\n{text}")
    check(any(l.replace("**", "").endswith("加强组织领导") and "１" in l or "1." in l and "加强组织领导" in l for l in lines), f"１．加强组织领导 keeps its number:\n{text}")
    for bullet in ["节前检查", "节后复查", "随机抽查"]:
        check(any(l.replace("**", "") == bullet for l in lines), f"{bullet}: its bullet glyph dropped:\n{text}")
    check("·" not in text and "§" not in text, f"no bullet glyph:\n{text}")
    # Shift+Enter: one paragraph, joined as import joins w:br.
    check(
        any("全县共检查企业326家，发现隐患1,024处。Long link WITH spaces" in l for l in lines),
        f"a <br> inside a paragraph joins it:\n{text}",
    )
    check(not any(l.startswith("发现隐患") or l.startswith("WITH") for l in lines), f"no line starts at a <br>:\n{text}")
    # A lone &nbsp; is a space.
    check("\u00a0" not in text, f"no U+00A0 left:\n{text!r}")
    # A cell's paragraphs keep their numbers.
    check(any("1.全面排查2.限期整改" in l for l in lines), f"the cell's numbers kept:\n{text}")
    check(any("安全生产检查隐患排查" in l for l in lines), f"the cell's paragraphs joined as import joins them:\n{text}")
    # No empty layout table: no row of merge marks alone.
    for l in lines:
        if l.startswith("|") and not set(l) <= set("|-: "):
            cells = [c.strip() for c in l.strip("|").split("|")]
            check(any(c not in ("", "<", "^") and set(c) != {"-"} and set(c) != {"-", ":"} for c in cells), f"an empty row {l!r}:\n{text}")
    # Every picture said: in a cell (1), the layout table's (2), VML only (1).
    check(notes.count("把图片拖到页面上") >= 4, f"each picture said with the advice:\n{notes}")
    check("表格里" in notes and "图片" in notes, f"the cell's picture said:\n{notes}")

    # The next paste's notes replace these: a VML-only picture alone.
    vml = """<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"><body lang=ZH-CN><!--StartFragment--><p class=MsoNormal><span lang=EN-US style='mso-no-proof:yes'><v:shape id="图片_x0020_1" type="#_x0000_t75" style='width:150pt;height:120pt'><v:imagedata src="file:///C:/Users/clerk/AppData/Local/Temp/msohtmlclip1/01/clip_image001.png" o:title=""/></v:shape></span><o:p></o:p></p><!--EndFragment--></body></html>"""
    lines, notes = paste(pg, vml, wait=False)
    check(lines == ["旧的一段。"], f"nothing pasted, the selection stays: {lines}")
    check(notes.count("把图片拖到页面上") == 1 and "表格里" not in notes, f"only this paste's note:\n{notes}")
    # Safari's blob: picture gets the same advice.
    lines, notes = paste(pg, """<p class=MsoNormal>会场一角：</p><p class=MsoNormal><img width=300 height=200 src="blob:http://localhost:9876/4a1b2c3d-0000-4000-8000-000000000000"></p>""")
    check("把图片拖到页面上" in notes, f"blob: picture's advice:\n{notes}")
    # Two <br> in a row (a web page's blank line) part paragraphs.
    lines, _ = paste(pg, "<p>第一段文字。<br>接着一行。<br><br>第二段文字。</p>")
    check(lines == ["第一段文字。接着一行。", "第二段文字。"], f"<br><br> parts, <br> joins: {lines}")
    # A paste with nothing to say leaves no note.
    lines, notes = paste(pg, "<p class=MsoNormal>普通的一段文字。</p>")
    check(notes == "", f"no note left from the last paste: {notes!r}")
print("ok")
