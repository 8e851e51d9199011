"""Reads an .ofd with two independent OFD readers from PyPI, for
tests/ofd_readers.rs:

- easyofd: parses the package and draws every page (with reportlab, into
  a PDF of its own); each page is rendered with PyMuPDF at PPI pixels to
  the inch of the page, to page-N.png, and its text taken from that
  drawing, to easyofd-N.txt;
- ofdkit: the document's info and each page's text in reading order, to
  ofdkit-N.txt and info.json.

easyofd draws all text with the face it registers as 宋体 from a file
named simsun.ttc in the working folder (it draws with no embedded font:
reportlab reads no CFF outlines); the test puts a TrueType face of
jianbao's there.

usage: python3 read.py FILE.ofd OUT_DIR PPI
"""

import json
import os
import sys

ofd_path, out, ppi = sys.argv[1], sys.argv[2], float(sys.argv[3])
# easyofd unpacks the file into the working folder's path cut at its
# first dot, and removes what it unpacked there: never run it where that
# is some other folder.
if "." in os.getcwd():
    sys.exit(f"easyofd would unpack outside {os.getcwd()}: run it in a folder without a dot in its path")
os.makedirs(out, exist_ok=True)
data = open(ofd_path, "rb").read()

import fitz  # PyMuPDF, which easyofd installs
from easyofd.ofd import OFD

reader = OFD()
reader.read(data, fmt="binary")
drawn = reader.to_pdf()
pdf = fitz.open(stream=drawn, filetype="pdf")
for k, page in enumerate(pdf, start=1):
    # easyofd's page is 200/25.4 points to the mm, not 72/25.4.
    zoom = ppi / 200.0
    page.get_pixmap(matrix=fitz.Matrix(zoom, zoom), alpha=False).save(
        os.path.join(out, f"page-{k}.png")
    )
    with open(os.path.join(out, f"easyofd-{k}.txt"), "w", encoding="utf-8") as f:
        f.write(page.get_text())

import ofdkit

with ofdkit.open(data) as doc:
    for k, page in enumerate(doc.pages, start=1):
        with open(os.path.join(out, f"ofdkit-{k}.txt"), "w", encoding="utf-8") as f:
            f.write(page.text())
    info = doc.info
    json.dump(
        {
            "pages": len(doc.pages),
            "title": info.title,
            "creator": info.creator,
            "creation_date": info.creation_date,
            "warnings": [str(w) for w in doc.warnings],
        },
        open(os.path.join(out, "info.json"), "w", encoding="utf-8"),
        ensure_ascii=False,
    )
