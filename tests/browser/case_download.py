"""下载 PDF gives the issue as a PDF file named as build names it; Word a
.docx; the PNG links one PNG a page."""

from common import *

url, publication = args()
with page(url, "001", accept_downloads=True) as pg:
    wait_pages(pg)
    with pg.expect_download(timeout=WAIT_MS) as info:
        pg.click("#download-pdf")
    download = info.value
    path = download.path()
    data = open(path, "rb").read()
    check(data.startswith(b"%PDF-"), f"a PDF, starts {data[:8]!r}")
    check(download.suggested_filename.endswith(".pdf"), f"named .pdf: {download.suggested_filename}")
    with pg.expect_download(timeout=WAIT_MS) as info:
        pg.click("#download-docx")
    docx = open(info.value.path(), "rb").read()
    check(docx.startswith(b"PK"), "the Word file is a .docx (a zip)")
    pg.click("#png-pages")
    links = pg.locator("#png-list a")
    check(links.count() == len(page_hashes(pg)), "one PNG link a page")
    with pg.expect_download(timeout=WAIT_MS) as info:
        links.first.click()
    png = open(info.value.path(), "rb").read()
    check(png.startswith(b"\x89PNG"), "page 1 as PNG")
print("ok")
