// The browser's HTML clipboard (Word, WPS, a web page) as PasteBlocks
// (the contract in serve-api.md): paragraphs with their bold runs, heading
// level, centring and the number Word's automatic list shows; tables with
// their merges; pictures. The server turns them into body lines, as import
// turns a .docx, and cleans them as check --fix does.

const BLOCK = new Set([
  "ADDRESS", "ARTICLE", "ASIDE", "BLOCKQUOTE", "BODY", "CENTER", "DD", "DIV", "DL", "DT",
  "FIELDSET", "FIGCAPTION", "FIGURE", "FOOTER", "FORM", "H1", "H2", "H3", "H4", "H5", "H6",
  "HEADER", "HR", "LI", "MAIN", "NAV", "OL", "P", "PRE", "SECTION", "TABLE", "UL",
]);
const HAN = /[\u3400-\u9fff\uf900-\ufaff]/;
// A line break inside a paragraph (Word's Shift+Enter) while the runs are
// collected; "\n" once their blanks are settled, joined as import joins
// a .docx's w:br.
const SOFT_BREAK = "\u2028";
/** The blocks whose <br> is a line break inside one paragraph. */
const PARAGRAPH = new Set(["P", "H1", "H2", "H3", "H4", "H5", "H6", "LI", "DT", "DD", "FIGCAPTION"]);
/** Fonts whose list "number" is a bullet glyph (Symbol's ·, Wingdings' §). */
const SYMBOL_FONT = /symbol|wingdings|webdings/i;
const SKIP = new Set(["HEAD", "STYLE", "SCRIPT", "TEMPLATE", "NOSCRIPT", "TITLE", "META", "LINK", "OBJECT", "IFRAME", "SVG"]);

/** An HTML clipboard text read: its blocks, what was left out of them
 * (`notes`, for the clerk), and whether it is a few words from inside a
 * paragraph (`inline`: no block at all), which go in at the cursor. */
export function readClipboard(html) {
  const doc = new DOMParser().parseFromString(html, "text/html");
  const out = new Walker();
  out.block(doc.body, { bold: false, heading: 0, center: false, size: 0 });
  out.flush();
  return { blocks: out.blocks, notes: out.notes(), inline: isInline(doc.body) };
}

/** No block, table, picture or line break: words from inside a paragraph. */
function isInline(body) {
  for (const el of body.querySelectorAll("*")) {
    if (SKIP.has(el.tagName)) continue;
    if (BLOCK.has(el.tagName) && el !== body) return false;
    if (el.tagName === "IMG" || el.tagName === "BR" || el.tagName === "TABLE") return false;
  }
  return (body.textContent || "").trim() !== "";
}

/** Word's and WPS's revision and review marks: what they are, or null. */
function reviewMark(el) {
  const tag = el.tagName;
  const cls = (el.getAttribute("class") || "").toLowerCase();
  const element = styleOf(el, "mso-element");
  if (tag === "DEL" || cls === "msodel") return "deleted";
  if (element === "comment-list" || element === "comment" || cls === "msocommentreference" || cls === "msocomanchor" || cls === "msocommenttext") return "comment";
  if (cls === "msofootnotereference" || cls === "msoendnotereference") return "footnote";
  if (element === "footnote-list" || element === "endnote-list" || element === "footnote" || element === "endnote") return "footnote";
  if (styleOf(el, "mso-special-character") === "comment") return "comment";
  if (tag === "A") {
    const href = el.getAttribute("href") || "";
    const name = el.getAttribute("name") || "";
    if (/^#_msocom_/.test(href) || /^_msoanchor_/.test(name)) return "comment";
    if (/^#_(ftn|edn)\d/.test(href) || /^_(ftn|edn)ref/.test(name) || styleOf(el, "mso-footnote-id") || styleOf(el, "mso-endnote-id")) return "footnote";
  }
  return null;
}

const SUPERSCRIPT = { 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹", "+": "⁺", "-": "⁻", "−": "⁻" };
const SUBSCRIPT = { 0: "₀", 1: "₁", 2: "₂", 3: "₃", 4: "₄", 5: "₅", 6: "₆", 7: "₇", 8: "₈", 9: "₉", "+": "₊", "-": "₋", "−": "₋" };

/** The text of a <sup>/<sub> in Unicode's raised or lowered figures, or
 * null when a character has none. */
function scripted(text, table) {
  const t = text.trim();
  if (!t) return "";
  let out = "";
  for (const c of t) {
    if (!(c in table)) return null;
    out += table[c];
  }
  return out;
}

/** A font size in points from an inline style (pt, px, em of 12 pt) or
 * `<font size=N>` (HTML's seven sizes); 0 when it says none. */
function sizeOf(el) {
  const css = styleOf(el, "font-size");
  const m = /^([\d.]+)\s*(pt|px|em|rem)?/.exec(css);
  if (m) {
    const n = Number(m[1]);
    const unit = m[2] || "px";
    if (unit === "pt") return n;
    if (unit === "px") return n * 0.75;
    return n * 12;
  }
  if (el.tagName === "FONT") {
    const size = Number(el.getAttribute("size"));
    const points = [0, 7.5, 10, 12, 13.5, 18, 24, 36];
    if (size >= 1 && size <= 7) return points[size];
  }
  const cls = el.getAttribute && (el.getAttribute("class") || "");
  // Word's Title style: 2号 in a 公文 template, when the class is all it says.
  if (/^MsoTitle$/i.test(cls || "")) return 22;
  return 0;
}

/** One declaration of an inline style ("" when absent), lower case. */
function styleOf(el, name) {
  const style = el.getAttribute && el.getAttribute("style");
  if (!style) return "";
  for (const part of style.split(";")) {
    const colon = part.indexOf(":");
    if (colon < 0) continue;
    if (part.slice(0, colon).trim().toLowerCase() === name) {
      return part.slice(colon + 1).trim().toLowerCase();
    }
  }
  return "";
}

function isHidden(el) {
  return styleOf(el, "display") === "none" || styleOf(el, "mso-hide") === "all";
}

function boldOf(el, inherited) {
  const tag = el.tagName;
  if (tag === "B" || tag === "STRONG") inherited = true;
  const weight = styleOf(el, "font-weight");
  if (weight === "bold" || weight === "bolder" || Number(weight) >= 600) return true;
  if (weight === "normal" || weight === "lighter" || (Number(weight) > 0 && Number(weight) < 600)) return false;
  return inherited;
}

/** The heading level of a block element: h1..h6, a Word heading style
 * (class MsoHeading1, a style named Heading 1 / 标题 1) or its outline level. */
function headingOf(el) {
  const h = /^H([1-6])$/.exec(el.tagName);
  if (h) return Number(h[1]);
  const cls = el.getAttribute("class") || "";
  const byClass = /(?:heading|标题)\s*([1-6])/i.exec(cls);
  if (byClass) return Number(byClass[1]);
  if (/^MsoTitle$/i.test(cls)) return 1;
  const outline = /^(\d)/.exec(styleOf(el, "mso-outline-level"));
  if (outline && Number(outline[1]) >= 1 && Number(outline[1]) <= 6) return Number(outline[1]);
  return 0;
}

function centerOf(el, inherited) {
  const align = (el.getAttribute("align") || styleOf(el, "text-align")).toLowerCase();
  if (align === "center") return true;
  if (align === "left" || align === "right" || align === "justify") return false;
  return inherited || el.tagName === "CENTER";
}

class Walker {
  constructor() {
    this.blocks = [];
    this.runs = [];
    this.para = { heading: 0, center: false, list: null };
    this.dropped = { deleted: 0, comment: 0, footnote: 0 };
    this.scripts = [];
    this.cellPictures = 0;
  }

  /** What was left out or kept as it is, said for the clerk. */
  notes() {
    const notes = [];
    if (this.dropped.deleted) notes.push("修订中删除的文字没有粘贴（只保留了修订后的文字）");
    if (this.dropped.comment) notes.push("批注（批注标记和批注内容）没有粘贴");
    if (this.dropped.footnote) notes.push("脚注或尾注（编号和注文）没有粘贴；需要的话请改成正文或“注：”一行");
    if (this.bareLists) notes.push("剪贴板里的编号列表没有说编号的样式（网页、LibreOffice 的列表）：按“1.”“（1）”粘贴了，请核对，公文的标题应为“一、”“（一）”“1.”“（1）”");
    if (this.cellPictures) notes.push(`表格里的 ${this.cellPictures} 张图片放在了表格下面（正文的表格里只能有文字），请核对`);
    for (const s of this.scripts) notes.push(`上标或下标“${s}”没有对应的字符，按普通文字粘贴，请核对`);
    return notes;
  }

  /** Ends the paragraph being collected (nothing when it has no text). */
  flush() {
    const runs = this.runs;
    this.runs = [];
    // Whitespace as HTML shows it: runs of blanks are one space, none at
    // either end of the paragraph.
    // A run of blanks typed between two words (two spaces, &nbsp;) is a
    // separator, as Word shows it: one ideographic space, as import
    // keeps it; a line break of the HTML source is nothing.
    for (const run of runs) {
      run.text = run.text.replace(/[ \t\r\n\f\u00a0]+/g, (blanks, at, all) => {
        // Between two Chinese words only: 2026&nbsp;年 is no separator.
        const words = HAN.test(all[at - 1] || "") && HAN.test(all[at + blanks.length] || "");
        if (words && (blanks.includes("\u00a0") || /^[ \t]{2,}$/.test(blanks))) return "\u3000";
        return " ";
      });
    }
    while (runs.length && !runs[0].text.replace(/^[ \u00a0\u3000\u2028]+/, "")) runs.shift();
    if (runs.length) runs[0].text = runs[0].text.replace(/^[ \u00a0\u3000\u2028]+/, "");
    while (runs.length && !runs[runs.length - 1].text.replace(/[ \u00a0\u3000\u2028]+$/, "")) runs.pop();
    if (runs.length) runs[runs.length - 1].text = runs[runs.length - 1].text.replace(/[ \u00a0\u3000\u2028]+$/, "");
    const merged = [];
    let size = 0;
    for (const run of runs) {
      if (run.text.trim()) size = Math.max(size, run.size || 0);
      const last = merged[merged.length - 1];
      if (last && last.bold === run.bold) last.text += run.text;
      else if (run.text) merged.push({ text: run.text, bold: run.bold });
    }
    for (const run of merged) run.text = run.text.replace(/[ \u3000]*\u2028[ \u3000]*/g, "\n");
    if (merged.length) {
      this.blocks.push({
        kind: "para", runs: merged, heading: this.para.heading, center: this.para.center, list: this.para.list,
        size_pt: size > 0 ? Math.round(size * 10) / 10 : null, caption: !!this.para.caption,
      });
    }
    this.para = { heading: 0, center: false, list: null };
  }

  /** A block element: its own paragraph(s). */
  block(el, ctx) {
    const heading = headingOf(el) || ctx.heading;
    const center = centerOf(el, ctx.center);
    const bold = boldOf(el, ctx.bold);
    const size = sizeOf(el) || ctx.size || 0;
    const inner = { ...ctx, heading, center, bold, size, blockTag: el.tagName };
    this.flush();
    this.para = { heading, center, list: ctx.list || null, caption: el.tagName === "FIGCAPTION" };
    this.children(el, inner);
    this.flush();
  }

  children(el, ctx) {
    let listIndex = 0;
    const start = Number(el.getAttribute && el.getAttribute("start")) || 1;
    for (const node of el.childNodes) {
      if (node.nodeType === Node.TEXT_NODE) {
        this.text(node.data, ctx.bold, ctx.size);
        continue;
      }
      if (node.nodeType === Node.COMMENT_NODE) {
        this.vmlComment(node);
        continue;
      }
      if (node.nodeType !== Node.ELEMENT_NODE) continue;
      const tag = node.tagName;
      if (SKIP.has(tag) || isHidden(node)) continue;
      const mark = reviewMark(node);
      if (mark) {
        if ((node.textContent || "").trim()) this.dropped[mark] += 1;
        continue;
      }
      if (tag === "SUP" || tag === "SUB") {
        const text = node.textContent || "";
        const raised = scripted(text, tag === "SUP" ? SUPERSCRIPT : SUBSCRIPT);
        if (raised === null) this.scripts.push(text.trim());
        this.text(raised === null ? text : raised, boldOf(node, ctx.bold), ctx.size);
        continue;
      }
      if (styleOf(node, "mso-list") === "ignore") {
        // Word's automatic number, drawn as text inside this span: every
        // number as Word shows it (a. i. A. 甲、 １．); a glyph of a symbol
        // font (Symbol's ·, Wingdings' §, Courier New's o) is a bullet.
        const shown = (node.textContent || "").replace(/[\s\u00a0]+/g, "");
        this.para.list = shown ? ([...shown].length === 1 && symbolFont(node) ? "•" : shown) : null;
        continue;
      }
      if (tag === "V:IMAGEDATA") {
        // A picture Word gave only as VML, no <img> beside it.
        if (!hasImgFor(node)) this.vmlPicture(node.getAttribute("src") || "", node.getAttribute("o:title") || "");
        continue;
      }
      if (tag === "BR" && PARAGRAPH.has(ctx.blockTag)) {
        // Two breaks in a row (a web page's blank line, <br><br>) part
        // paragraphs; one is a break inside the paragraph.
        const last = [...this.runs].reverse().find((r) => r.text.trim() || r.text === SOFT_BREAK);
        if (!last || last.text !== SOFT_BREAK) {
          this.text(SOFT_BREAK, ctx.bold, ctx.size);
          continue;
        }
        last.text = "";
      }
      if (tag === "BR") {
        const para = this.para;
        this.flush();
        this.para = { heading: para.heading, center: para.center, list: null };
        continue;
      }
      if (tag === "IMG") {
        this.picture(node);
        continue;
      }
      if (tag === "TABLE") {
        this.flush();
        this.table(node, ctx);
        continue;
      }
      if (tag === "OL" || tag === "UL") {
        this.list(node, ctx);
        continue;
      }
      if (BLOCK.has(tag)) {
        let list = null;
        if (tag === "LI" && el.tagName === "OL") {
          listIndex += 1;
          // The number's style is not said (type="I", list-style-type):
          // what the source showed (一、, （一）) cannot be known.
          if (!el.getAttribute("type") && !styleOf(el, "list-style-type")) this.bareLists = true;
          list = olNumber(start + listIndex - 1, ctx.olDepth || 1);
        } else if (!this.runs.some((r) => r.text.trim())) {
          // The first paragraph inside a list item (<li><p>…) shows its number.
          list = this.para.list;
        }
        this.block(node, { ...ctx, list });
        continue;
      }
      this.children(node, { ...ctx, bold: boldOf(node, ctx.bold), size: sizeOf(node) || ctx.size, list: null });
    }
  }

  list(el, ctx) {
    const depth = el.tagName === "OL" ? (ctx.olDepth || 0) + 1 : ctx.olDepth || 0;
    this.flush();
    this.children(el, { ...ctx, olDepth: depth });
    this.flush();
  }

  text(data, bold, size) {
    if (!data) return;
    this.runs.push({ text: data, bold, size: size || 0 });
  }

  /** Word's `<!--[if gte vml 1]>` picture: taken when no `<![if !vml]>`
   * <img> of the same picture follows it. */
  vmlComment(node) {
    if (!/^\[if gte vml 1\]/.test(node.data)) return;
    let next = node.nextSibling;
    while (next && next.nodeType === Node.TEXT_NODE && !next.data.trim()) next = next.nextSibling;
    if (next && next.nodeType === Node.COMMENT_NODE && /^\[if !vml\]/.test(next.data)) return;
    const data = /<v:imagedata\b[^>]*>/i.exec(node.data);
    if (!data) return;
    const attr = (name) => {
      const m = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, "i").exec(data[0]);
      return m ? m[1] ?? m[2] : "";
    };
    this.vmlPicture(attr("src"), attr("o:title"));
  }

  vmlPicture(src, title) {
    if (!src) return;
    const para = this.para;
    this.flush();
    this.blocks.push({ kind: "picture", src, alt: title.trim(), width_px: null });
    this.para = para;
  }

  picture(img) {
    const src = img.getAttribute("src") || "";
    if (!src) return;
    const para = this.para;
    this.flush();
    const width = Number(img.getAttribute("width")) || null;
    this.blocks.push({ kind: "picture", src, alt: (img.getAttribute("alt") || "").trim(), width_px: width && width > 0 ? Math.round(width) : null });
    this.para = para;
  }

  table(el, ctx) {
    const rows = [];
    // Pictures in cells go under the table (a body table holds text);
    // a table of pictures only (Word's layout of a picture group) is them.
    const pictures = [];
    let text = false;
    for (const tr of rowsOf(el)) {
      const cells = [];
      for (const cell of tr.children) {
        if (cell.tagName !== "TD" && cell.tagName !== "TH") continue;
        const sub = new Walker();
        sub.dropped = this.dropped;
        sub.scripts = this.scripts;
        sub.block(cell, { bold: false, heading: 0, center: false, size: 0 });
        sub.flush();
        // A cell is one paragraph of the body: its paragraphs, each with
        // its number, joined by the server as import joins a cell's.
        const paras = [];
        for (const block of sub.blocks) {
          if (block.kind === "para") paras.push({ runs: block.runs, list: block.list });
          else if (block.kind === "table") paras.push(...block.rows.flat().flatMap((c) => c.paras || [{ runs: c.runs, list: null }]));
          else if (block.kind === "picture") pictures.push(block);
        }
        if (paras.some((p) => p.runs.some((r) => r.text.trim()))) text = true;
        cells.push({
          paras,
          runs: paras.flatMap((p) => p.runs),
          colspan: Math.max(1, Number(cell.getAttribute("colspan")) || 1),
          rowspan: Math.max(1, Number(cell.getAttribute("rowspan")) || 1),
          header: cell.tagName === "TH" || tr.parentElement.tagName === "THEAD",
        });
      }
      if (cells.length) rows.push(cells);
    }
    if (rows.length && (text || !pictures.length)) this.blocks.push({ kind: "table", rows });
    if (text && pictures.length) this.cellPictures += pictures.length;
    this.blocks.push(...pictures);
    void ctx;
  }
}

/** The list number's span sits in a symbol font (its one glyph a bullet). */
function symbolFont(span) {
  for (let el = span; el && el.tagName !== "P" && el.tagName !== "BODY"; el = el.parentElement) {
    const font = styleOf(el, "font-family");
    if (SYMBOL_FONT.test(font)) return true;
    if (/courier new/i.test(font) && /^o$/.test((span.textContent || "").replace(/[\s\u00a0]+/g, ""))) return true;
  }
  return false;
}

/** An <img> of the document shows the VML shape this imagedata is in. */
function hasImgFor(imagedata) {
  let shape = imagedata.parentElement;
  while (shape && shape.tagName !== "V:SHAPE") shape = shape.parentElement;
  const id = shape && shape.getAttribute("id");
  if (!id) return false;
  for (const img of imagedata.ownerDocument.getElementsByTagName("img")) {
    if ((img.getAttribute("v:shapes") || "").split(/\s+/).includes(id)) return true;
  }
  return false;
}

/** The rows of a table, not those of tables inside its cells. */
function rowsOf(table) {
  const rows = [];
  for (const child of table.children) {
    if (child.tagName === "TR") rows.push(child);
    else if (["THEAD", "TBODY", "TFOOT"].includes(child.tagName)) {
      for (const tr of child.children) if (tr.tagName === "TR") rows.push(tr);
    }
  }
  return rows;
}

/** The number an <ol> item shows, as the body writes it at that depth. */
function olNumber(n, depth) {
  return depth <= 1 ? `${n}.` : `（${n}）`;
}
