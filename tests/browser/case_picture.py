"""Drop a picture file on the editor: it is saved under images/ and its
line is inserted, on a line of its own; the issue builds with it."""

import os
from pathlib import Path

from common import *

url, publication = args()
repo = Path(os.environ.get("JIANBAO_REPO", Path(__file__).resolve().parents[2]))
picture = next((repo / "tests/fixtures/photos").rglob("*.jpg"), None) or next((repo / "tests/fixtures").rglob("*.png"))
data = list(picture.read_bytes())

with page(url, "001") as pg:
    wait_pages(pg)
    hashes_before = page_hashes(pg)
    cursor_to_line(pg, 2)
    pg.evaluate(
        """([bytes, name]) => {
             const file = new File([new Uint8Array(bytes)], name, {type: name.endsWith('.png') ? 'image/png' : 'image/jpeg'});
             const data = new DataTransfer();
             data.items.add(file);
             const content = document.querySelector('.cm-content');
             const box = content.getBoundingClientRect();
             for (const type of ['dragenter', 'dragover', 'drop']) {
               content.dispatchEvent(new DragEvent(type, {dataTransfer: data, bubbles: true, cancelable: true,
                 clientX: box.left + 20, clientY: box.top + 10}));
             }
           }""",
        [data, "会议现场.jpg" if picture.suffix == ".jpg" else "会议现场.png"],
    )
    pg.wait_for_function("() => /!\\[[^\\]]*\\]\\(images\\//.test(window.jianbaoEditor.state.doc.toString())", timeout=WAIT_MS)
    line = next(l for l in editor_text(pg).split("\n") if "](images/" in l)
    check(line.startswith("!["), f"the picture's line stands alone: {line!r}")
    path = line[line.index("](") + 2 : line.rindex(")")]
    saved = publication / path
    check(saved.is_file(), f"{path} saved in the publication")
    check(saved.read_bytes() == picture.read_bytes(), "the same bytes")
    wait_file(publication, lambda t: line in t, "got the picture's line")
    # Page 1, where the picture went, is drawn again, and check finds
    # nothing wrong with the picture.
    pg.wait_for_function(
        "old => { const f = document.querySelector('#pages figure.page'); return f && f.dataset.loaded && f.dataset.loaded !== old; }",
        arg=hashes_before[0],
        timeout=WAIT_MS,
    )
    problems = pg.locator("#problems").inner_text()
    check("图片" not in problems and "picture" not in problems, f"no picture problem: {problems}")
print("ok")
