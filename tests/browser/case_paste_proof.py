"""A 公文 proof-reader's own clipboards (tests/fixtures/clipboard/: Word,
WPS, a web page, and the short probes; SOURCES.md) pasted into the editor
as the browser hands them over, each in place of the whole body: what a
clerk must get for each finding of that review (page-proof F2–F12), and
the notes that say what was left out, above the editor."""

import os
import re
from pathlib import Path

from common import *

url, publication = args()
repo = Path(os.environ.get("JIANBAO_REPO", Path(__file__).resolve().parents[2]))


def fixture(name):
    return (repo / "tests/fixtures/clipboard" / name).read_text(encoding="utf-8")


def paste(pg, html, body="", at=None):
    """Sets the body to `body` (all of it selected, or the cursor at `at`),
    pastes `html`; returns the body's lines and the notes shown."""
    pg.evaluate(
        """([body, at]) => { const v = window.jianbaoEditor;
             v.dispatch({changes: {from: 0, to: v.state.doc.length, insert: body}});
             v.dispatch({selection: at === null ? {anchor: 0, head: v.state.doc.length} : {anchor: at}});
             v.focus(); window.pasteDone = false; }""",
        [body, at],
    )
    before = editor_text(pg)
    pg.evaluate(
        """(html) => { const data = new DataTransfer();
             data.setData('text/html', html); data.setData('text/plain', 'x');
             document.querySelector('.cm-content').dispatchEvent(
               new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true})); }""",
        html,
    )
    pg.wait_for_function(
        "(before) => window.jianbaoEditor.state.doc.toString() !== before", arg=before, timeout=WAIT_MS
    )
    notes = pg.evaluate("() => { const b = document.getElementById('paste-notes'); return b.hidden ? '' : b.innerText; }")
    return editor_text(pg).split("\n"), notes


def has(lines, expected, what):
    check(expected in lines, f"{what}: the line {expected!r} in:\n" + "\n".join(lines))


with page(url, "001") as pg:
    wait_pages(pg)

    # F2: a title set by direct formatting (centred, 22 pt) is a title,
    # with its 副题 and the speaker and date under it; F3: the two
    # &nbsp; between 市长 and 李建国 are a separator; F8: headings in bold.
    lines, _ = paste(pg, fixture("wps-jianghua.html"))
    for expected in [
        "# 以更大力度打造一流营商环境",
        "——在全市优化营商环境推进会上的讲话（摘要）",
        "@ 市长　李建国",
        "@ （2026年11月20日）",
        "一、清醒认识当前面临的形势",
        "二、聚焦重点精准发力",
    ]:
        has(lines, expected, "wps-jianghua")
    lines, _ = paste(pg, fixture("word-gzdt.html"))
    has(lines, "# 青川县多措并举推进冬季安全生产", "word-gzdt's title")
    has(lines, "# 和森林防火工作", "word-gzdt's title")
    lines, _ = paste(pg, fixture("probe-a-title-pstyle.html"))
    check(lines[0].startswith("# "), f"the 22 pt size on the <p> makes a title: {lines[:3]}")
    lines, _ = paste(pg, fixture("probe-b-title-bold-br.html"))
    check(
        lines[:2] == ["# 坚持问题导向　狠抓整改落实", "# 推动巡察反馈问题全面清零"],
        f"a bold centred 22 pt title broken by <br>: {lines[:3]}",
    )

    # F3 in a WeChat article: &nbsp; runs between two units.
    lines, _ = paste(pg, fixture("probe-e-wechat.html"))
    check(any("李某　审核" in l for l in lines), f"编辑 | 李某　审核 kept apart: {lines}")
    # …but only between two Chinese words: not between a figure and 年.
    lines, _ = paste(pg, "<p>全市2026&nbsp;年新增&nbsp;&nbsp;项目&nbsp;12&nbsp;个。</p>")
    check(len(lines) == 1 and "新增　项目" in lines[0] and "\u3000年" not in lines[0] and "\u300012" not in lines[0], f"a separator only between words: {lines}")

    # F4, F5: tracked deletions, comments, footnotes dropped and said;
    # m² and H₂O; F12: bold on marks alone.
    lines, notes = paste(pg, fixture("probe-d-junk.html"))
    text = "\n".join(lines)
    for gone in ["已删除", "[张1]", "[1]", "再核实", "数据来源：市生态环境局"]:
        check(gone not in text, f"{gone!r} is not pasted:\n{text}")
    check("此处是新增的文字" in text, f"the inserted text is kept:\n{text}")
    check("12.6万m²" in text and "H₂O" in text, f"m² and H₂O:\n{text}")
    check("全文共“三个一”要求，即" in text, f"no bold on marks alone:\n{text}")
    for said in ["删除", "批注", "脚注"]:
        check(said in notes, f"a note says the {said} was left out: {notes!r}")

    # F6: Word's ① numbering kept; 第一条 set apart from its text.
    lines, _ = paste(pg, fixture("probe-c-wordlist-levels.html"))
    has(lines, "①印发宣传册2万份；", "probe-c")
    has(lines, "第一条　为规范工作，制定本办法。", "probe-c")

    # F7: a few words from inside a paragraph go in at the cursor.
    line = "县委开展了行动，成效明显。"
    lines, _ = paste(pg, fixture("probe-g-inline.html"), body=line, at=len("县委开展了"))
    check(lines == ["县委开展了**“三查三改”**专项行动行动，成效明显。"], f"pasted inline: {lines}")

    # F8, F9: the web article's bold （一） heading, and its <figcaption>
    # as the picture's caption, with no width forced.
    lines, _ = paste(pg, fixture("web-article.html"))
    check(any(l.startswith("（一）完善共享目录。编制") for l in lines), f"（一） heading in bold: {lines}")
    pictures = [l for l in lines if l.startswith("![")]
    check(
        len(pictures) == 1 and pictures[0].startswith("![市民在政务服务中心自助终端办理业务](images/"),
        f"the figcaption is the picture's caption: {pictures}",
    )
    check(not pictures[0].endswith("}"), f"no width forced on the picture: {pictures}")
    check("市民在政务服务中心自助终端办理业务" not in [l for l in lines if not l.startswith("![")], "the caption is not also a paragraph")

    # F10: LibreOffice's <ol> lists say no number style: a note.
    lines, notes = paste(pg, fixture("lo-tongbao.html"))
    check("编号列表" in notes, f"a note says the list numbers are guessed: {notes!r}")
    has(lines, "# 关于2026年第三季度全市政务信息报送情况的通报", "lo-tongbao's 2号 title, not glued to the 主送 line (F1, F2)")

    # F11: web headings without a number: bold lines, and said.
    lines, notes = paste(pg, fixture("probe-j-web-h2-nonum.html"))
    has(lines, "**多措并举保障收购**", "probe-j")
    check("没有编号" in notes, f"a note says the headings had no number: {notes!r}")

    # F14: a note about a line names the editor's line (the file's line
    # number, as the gutter shows it), not the clipboard's paragraph, and
    # a click goes there; the notes are not toasts over the pages.
    check("段：" not in notes, f"no clipboard paragraph numbers: {notes!r}")
    note = pg.locator("#paste-notes li.at-line", has_text="强化质量监管")
    where = note.locator(".where").inner_text()
    check(re.fullmatch(r"第 \d+ 行", where) is not None, f"the note names a line: {where!r}")
    note.click()
    at = pg.evaluate(
        "() => { const v = window.jianbaoEditor; return v.state.doc.lineAt(v.state.selection.main.head).text; }"
    )
    check(at == "**强化质量监管**", f"the click went to the heading's line: {at!r}")
    n = int(where.split()[1])
    wait_file(
        publication,
        lambda t: len(t.split("\n")) >= n and t.split("\n")[n - 1] == "**强化质量监管**",
        f"line {n} of the saved file is the heading the note names",
        pg=pg,
    )
    check(pg.locator(".notice", has_text="没有编号").count() == 0, "no toast over the pages")
print("ok")
