// The body syntax of an issue file (docs/issue-format.md) for CodeMirror:
// what a line is depends on how it starts, as typed, so the tokenizer looks
// at the start of each line and then only for **emphasis** inside it.
import { StreamLanguage, HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { tags } from "@lezer/highlight";

const HEADING_1 = /^(?:[一二三四五六七八九十]{1,3})\s?[、.．]/;
const HEADING_2 = /^[（(][一二三四五六七八九十]{1,3}[）)]/;
const HEADING_3 = /^\d{1,2}[.．](?!\d)/;
const HEADING_4 = /^[（(]\d{1,2}[）)]/;
const PICTURE = /^[!！][[［].*[)）](\{[^}]*\})?\s*$/;
const ATTACHMENT = /^(附件[:：]|附件\s*[0-9０-９]*\s*$)/;
const COLUMN = /^【[^】]*】\s*$/;

function startOfLine(stream, state) {
  state.kind = null;
  const rest = stream.string.slice(stream.pos);
  if (rest.startsWith("\\")) {
    stream.next();
    state.kind = "literal";
    return "escape";
  }
  if (/^[#＃] /.test(rest)) {
    stream.skipToEnd();
    return "title";
  }
  if (rest.startsWith("^ ")) {
    stream.skipToEnd();
    return "lead";
  }
  if (/^[@＠]/.test(rest)) {
    stream.skipToEnd();
    return "byline";
  }
  if (rest.startsWith(">")) {
    stream.next();
    state.kind = "note";
    return "noteMark";
  }
  if (COLUMN.test(rest)) {
    stream.skipToEnd();
    return "column";
  }
  if (PICTURE.test(rest)) {
    stream.skipToEnd();
    return "picture";
  }
  if (/^[|｜]/.test(rest) || rest.includes("\t")) {
    stream.skipToEnd();
    return "table";
  }
  if (ATTACHMENT.test(rest)) {
    stream.match(/^附件[:：]?\s*[0-9０-９]*/);
    return "attachment";
  }
  if (/^表\d+/.test(rest)) {
    stream.match(/^表\d+/);
    return "caption";
  }
  for (const mark of [HEADING_1, HEADING_2, HEADING_3, HEADING_4]) {
    const found = stream.match(mark);
    if (found) {
      state.kind = mark === HEADING_1 ? "heading1" : "heading";
      return "headingMark";
    }
  }
  return undefined;
}

export const bodyLanguage = StreamLanguage.define({
  name: "jianbao-body",
  startState: () => ({ kind: null, bold: false }),
  token(stream, state) {
    if (stream.sol()) {
      state.bold = false;
      const style = startOfLine(stream, state);
      if (style !== undefined) return style;
    }
    if (state.kind === "literal") {
      stream.skipToEnd();
      return null;
    }
    if (stream.match("**")) {
      state.bold = !state.bold;
      return "boldMark";
    }
    // Up to the next ** (or the end of the line).
    while (!stream.eol() && !stream.match("**", false)) stream.next();
    if (state.bold) return "bold";
    if (state.kind === "note") return "note";
    if (state.kind === "heading1") return "heading1";
    if (state.kind === "heading") return "heading";
    return null;
  },
  tokenTable: {
    title: tags.heading1,
    lead: tags.heading2,
    byline: tags.heading3,
    noteMark: tags.quote,
    note: tags.quote,
    column: tags.labelName,
    picture: tags.link,
    table: tags.className,
    attachment: tags.keyword,
    caption: tags.keyword,
    headingMark: tags.keyword,
    heading1: tags.heading4,
    heading: tags.heading5,
    bold: tags.strong,
    boldMark: tags.processingInstruction,
    escape: tags.escape,
  },
});

export const bodyHighlight = syntaxHighlighting(
  HighlightStyle.define([
    { tag: tags.heading1, color: "#b3261e", fontWeight: "bold" },
    { tag: [tags.heading2, tags.heading3], color: "#7a4b00" },
    { tag: tags.quote, color: "#4b5d8a", fontStyle: "italic" },
    { tag: tags.labelName, color: "#6a1b9a", fontWeight: "bold" },
    { tag: tags.link, color: "#00695c" },
    { tag: tags.className, color: "#37474f", backgroundColor: "#f2f5f7" },
    { tag: tags.keyword, color: "#1565c0", fontWeight: "bold" },
    { tag: tags.heading4, fontWeight: "bold" },
    { tag: tags.heading5, color: "#333" },
    { tag: tags.strong, fontWeight: "bold" },
    { tag: tags.processingInstruction, color: "#999" },
    { tag: tags.escape, color: "#999" },
  ]),
);
