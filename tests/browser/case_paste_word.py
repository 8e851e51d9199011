"""Paste what Word puts on the clipboard (tests/fixtures/clipboard/
word-yunxi.html: the article of tests/fixtures/docx/word.docx) into the
editor as the browser hands it over, a paste event whose DataTransfer has
text/html and text/plain: the body gets the article in the body syntax,
the picture Word held only as a file of its own is said in a note."""

import os
from pathlib import Path

from common import *

url, publication = args()
repo = Path(os.environ.get("JIANBAO_REPO", Path(__file__).resolve().parents[2]))
html = (repo / "tests/fixtures/clipboard/word-yunxi.html").read_text(encoding="utf-8")
plain = "云溪县扎实开展安全生产大排查大整治\n今年以来……"

with page(url, "001") as pg:
    wait_pages(pg)
    lines = editor_text(pg).split("\n")
    cursor_to_line(pg, len(lines))
    pg.keyboard.press("End")
    pg.keyboard.press("Enter")
    pg.evaluate(
        """([html, plain]) => {
             const data = new DataTransfer();
             data.setData('text/html', html);
             data.setData('text/plain', plain);
             const event = new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true});
             document.querySelector('.cm-content').dispatchEvent(event);
           }""",
        [html, plain],
    )
    pg.wait_for_function("() => window.jianbaoEditor.state.doc.toString().includes('组织领导有力')", timeout=WAIT_MS)
    body = editor_text(pg).split("\n")
    # What a clerk must get: tests/fixtures/docx/expected/word.md's body
    # for the same article (the picture aside).
    for expected in [
        "# 云溪县扎实开展安全生产大排查大整治",
        "一、组织领导有力",
        "（一）强化统筹调度。县安委会每周调度一次，及时研究解决问题。",
        "1.制定方案",
        "2.明确责任",
        "（二）压实属地责任",
        "二、排查整治见效",
        "今年以来，云溪县**高度重视**安全生产工作，在全县开展大排查大整治。",
        "全县共检查企业426家，发现隐患312处，已整改298处。",
        "表1　各乡镇检查情况",
        "注：整改率为已整改隐患占发现隐患的比例。",
        "下一步，县应急管理局将持续跟踪整改。",
    ]:
        check(expected in body, f"the pasted body has the line {expected!r}:\n" + "\n".join(body))
    rows = [l for l in body if "城关镇" in l]
    check(len(rows) == 1 and "126" in rows[0] and "95%" in rows[0], f"a table row for 城关镇: {rows}")
    check(body.index("一、组织领导有力") < body.index("二、排查整治见效"), "in order")
    check(not any("clip_image" in l for l in body), "no line points at Word's temporary file")
    notes = pg.locator("#paste-notes")
    notes.wait_for(state="visible", timeout=WAIT_MS)
    check(notes.inner_text().strip() != "", "a note says what was left out")
    wait_file(publication, lambda t: "一、组织领导有力" in t and "城关镇" in t, "got the pasted article")

    # Plain text alone (from Notepad) is pasted as it is, by the editor.
    pg.keyboard.press("Control+End")
    pg.keyboard.press("Enter")
    pg.evaluate(
        """() => { const data = new DataTransfer(); data.setData('text/plain', '纯文本一行,原样粘贴');
                   document.querySelector('.cm-content').dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true})); }"""
    )
    pg.wait_for_function("() => window.jianbaoEditor.state.doc.toString().includes('纯文本一行,原样粘贴')", timeout=WAIT_MS)

    # A web page's picture comes as a data: URL: saved under images/.
    png = "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg=="
    pg.keyboard.press("Control+End")
    pg.keyboard.press("Enter")
    pg.evaluate(
        """(png) => { const data = new DataTransfer();
                   data.setData('text/html', `<p>网页上的一段话。</p><p><img src="data:image/png;base64,${png}" alt="网页图片" width="300"></p>`);
                   data.setData('text/plain', '网页上的一段话。');
                   document.querySelector('.cm-content').dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true})); }""",
        png,
    )
    pg.wait_for_function("() => window.jianbaoEditor.state.doc.toString().includes('网页上的一段话。')", timeout=WAIT_MS)
    body = editor_text(pg).split("\n")
    pictures = [l for l in body if l.startswith("![") and "](images/" in l]
    check(len(pictures) == 1, f"the web page's picture saved and its line inserted: {body[-4:]}")
    saved = publication / pictures[0][pictures[0].index("](") + 2 : pictures[0].rindex(")")]
    check(saved.is_file(), f"{saved} saved")
print("ok")
