// The clerk's page (issue 20): the issue list, and for one issue the front
// matter form, the body editor, the live pages and the problems. The server
// holds the files (serve-api.md); this page only shows and sends.
import { EditorState, Compartment, ChangeSet, EditorSelection, Annotation } from "@codemirror/state";
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter,
  drawSelection, highlightSpecialChars, placeholder,
} from "@codemirror/view";
import { history, historyKeymap, defaultKeymap } from "@codemirror/commands";
import { setDiagnostics, lintGutter } from "@codemirror/lint";
import { bodyLanguage, bodyHighlight } from "./src/highlight.js";
import { readClipboard } from "./src/paste.js";
import { h, fill } from "./src/dom.js";
import * as api from "./src/api.js";

const $ = (id) => document.getElementById(id);

/** A change the page made itself (a reload, a fix): not the clerk's edit. */
const FromServer = Annotation.define();

const STATUS = {
  current: "已生成",
  stale: "需重新生成",
  problems: "有问题",
  unbuilt: "未生成",
};

const FIELDS = [
  { key: "number", label: "期号", kind: "int", hint: "第几期" },
  { key: "date", label: "日期", kind: "date" },
  { key: "total", label: "总期号", kind: "int", hint: "总第几期，可不填" },
  { key: "edition", label: "增刊/专刊", kind: "text", hint: "正刊不填", list: ["增刊", "专刊", "特刊"] },
  { key: "classification", label: "密级", kind: "text", hint: "不填为公开" },
  { key: "serial", label: "编号", kind: "text", hint: "份号，可不填" },
  { key: "copies", label: "份数", kind: "int", hint: "共印多少份" },
];
const LISTS = [
  { key: "bao", label: "报" },
  { key: "song", label: "送" },
  { key: "fa", label: "发" },
  { key: "extra", label: "本期增发" },
];

// ---------------------------------------------------------------- state

const app = {
  publication: null,
  key: null, // the open issue
  version: null, // of the file as last read or written
  bodyLine: 1,
  pages: [],
  pageVersion: -1,
  front: null, // the form's lists: { bao: {custom, items}, … }
  frontDirty: false,
  wantSave: false,
  inFlight: null, // the save request's promise
  sentDoc: null, // the body the last save sent
  sinceSent: null, // the editor's changes since then
  conflict: false,
  lastError: null,
};

let view = null;
const lineNumbersSlot = new Compartment();
const editableSlot = new Compartment();

// ---------------------------------------------------------------- shell

function notice(text, kind = "info", { stay = false } = {}) {
  const el = h("div", { class: `notice ${kind}`, title: "点一下关掉", onclick: () => el.remove() }, text);
  $("notices").appendChild(el);
  if (!stay) setTimeout(() => el.remove(), kind === "error" ? 12000 : 5000);
  return el;
}

function saveState(text, kind = "") {
  const el = $("save-state");
  if (!el) return;
  el.textContent = text;
  el.className = `save-state ${kind}`;
}

async function route() {
  const match = /^#\/issue\/(.+)$/.exec(location.hash);
  try {
    if (!app.publication) await loadPublication();
    if (match) await openIssue(decodeURIComponent(match[1]));
    else showList();
  } catch (e) {
    notice(e.message, "error");
  }
}

async function loadPublication() {
  const { json } = await api.publication();
  app.publication = json;
  $("publication-title").textContent = json.title || "简报";
  document.title = `${json.title || "简报"} · jianbao`;
  return json;
}

// ---------------------------------------------------------------- list

function showList() {
  app.key = null;
  if (view) view.destroy();
  view = null;
  document.body.dataset.view = "list";
  const pub = app.publication;
  const issues = pub.issues || [];
  const rows = issues.map((issue) =>
    h(
      "tr",
      {
        class: "issue-row",
        dataset: { key: issue.key },
        tabindex: 0,
        onclick: () => (location.hash = `#/issue/${api.enc(issue.key)}`),
        onkeydown: (e) => e.key === "Enter" && (location.hash = `#/issue/${api.enc(issue.key)}`),
      },
      h("td", { class: "label" }, issue.label || issue.key),
      h("td", {}, issue.date || ""),
      h("td", { class: "title" }, issue.title || "（无标题）"),
      h(
        "td",
        { class: `status ${issue.status}` },
        STATUS[issue.status] || issue.status,
        issue.errors ? `（${issue.errors} 个错误）` : "",
        !issue.errors && issue.warnings ? `（${issue.warnings} 个提醒）` : "",
      ),
    ),
  );
  fill(
    $("main"),
    h(
      "section",
      { class: "list" },
      h(
        "div",
        { class: "list-head" },
        h("h2", {}, "各期简报"),
        h("button", { id: "new-issue", class: "primary", onclick: createIssue }, "新建一期"),
        h("button", { class: "build-all", onclick: buildAll }, "全部生成"),
      ),
      h(
        "p",
        { id: "masthead-note", class: "masthead-note" },
        `报头印的简报名称“${pub.title || "（没有）"}”、编发单位“${pub.editor || "（没有）"}”和版记的印发单位“${pub.publisher || "（没有）"}”写在简报文件夹里的 jianbao.toml 文件中，每一期都一样，这个页面上不能改；不对的话，请管理这个文件夹的同事改 jianbao.toml（用记事本打开，改引号里的字）。`,
      ),
      issues.length
        ? h(
            "table",
            { class: "issues" },
            h("thead", {}, h("tr", {}, h("th", {}, "期号"), h("th", {}, "日期"), h("th", {}, "标题"), h("th", {}, "状态"))),
            h("tbody", {}, rows),
          )
        : h("p", { class: "empty" }, "还没有哪一期。点“新建一期”开始。"),
    ),
  );
}

async function refreshList() {
  await loadPublication();
  if (!app.key) showList();
}

async function createIssue() {
  try {
    const { json } = await api.newIssue();
    await loadPublication();
    location.hash = `#/issue/${api.enc(json.key)}`;
  } catch (e) {
    notice(e.message, "error");
  }
}

async function buildAll() {
  const working = notice("正在生成全部期次……", "info", { stay: true });
  try {
    await flushSave();
    const { json } = await api.buildAll();
    working.remove();
    const failed = json.failed || [];
    const where = json.folder ? `文件在这台电脑的文件夹 ${json.folder} 里（用文件管理器打开）。` : "";
    notice(`生成了 ${json.built} 期，${json.current} 期本来就是最新的${failed.length ? `，${failed.length} 期失败` : ""}。${where}`, failed.length ? "error" : "ok", { stay: true });
    for (const f of failed) notice(`${f.key}：${f.message}`, "error");
    await loadPublication();
    if (!app.key) showList();
  } catch (e) {
    notice(e.message, "error");
  } finally {
    working.remove();
  }
}

// ---------------------------------------------------------------- issue

async function openIssue(key) {
  if (app.key === key && view) return;
  if (app.key) await flushSave();
  const { json: state } = await api.issue(key);
  app.key = key;
  app.conflict = false;
  app.frontDirty = false;
  app.pages = [];
  app.pageVersion = -1;
  document.body.dataset.view = "issue";
  if (view) view.destroy();
  const meta = (app.publication.issues || []).find((i) => i.key === key);
  fill($("main"), issueLayout(meta ? meta.label : key));
  makeEditor(state.body, state.body_line);
  fillForm(state.front, state.text);
  applyState(state, { sent: view.state.doc });
  saveState("已保存", "ok");
}

function issueLayout(label) {
  return h(
    "section",
    { class: "issue" },
    h(
      "div",
      { class: "toolbar" },
      h("a", { href: "#/", class: "back" }, "← 全部期次"),
      h("h2", { id: "issue-label" }, label),
      h("span", { id: "save-state", class: "save-state" }),
      h("span", { class: "spacer" }),
      h("button", { id: "fix", class: "fix", onclick: applyFix, disabled: true }, "一键修正"),
      h("a", { id: "download-pdf", class: "button primary", href: api.downloadUrl(app.key, "pdf"), download: "" }, "下载 PDF"),
      h("button", { id: "png-pages", onclick: togglePngs }, "PNG 页面"),
      h("a", { id: "download-docx", class: "button", href: api.downloadUrl(app.key, "docx"), download: "" }, "Word"),
      h("button", { class: "build-all", onclick: buildAll }, "全部生成"),
    ),
    h("div", { id: "png-list", class: "png-list", hidden: true }),
    h(
      "div",
      { class: "work" },
      h(
        "div",
        { class: "left" },
        h("details", { id: "front", class: "front", open: true }, h("summary", {}, "期号、日期和报送范围"), h("div", { id: "front-form" })),
        h("div", { id: "editor", class: "editor" }),
        h("div", { id: "paste-notes", class: "paste-notes", hidden: true }),
        h("div", { class: "problems-head" }, h("h3", {}, "问题"), h("span", { id: "problem-count" })),
        h("ul", { id: "problems", class: "problems" }),
      ),
      h(
        "div",
        { class: "right" },
        h("div", { id: "build-problem", class: "build-problem", hidden: true }),
        h("div", { id: "pages", class: "pages" }, h("p", { class: "empty" }, "正在排版……")),
      ),
    ),
  );
}

function makeEditor(body, bodyLine) {
  app.bodyLine = bodyLine;
  app.sentDoc = null;
  app.sinceSent = null;
  const state = EditorState.create({
    doc: body,
    extensions: [
      lineNumbersSlot.of(numbering(bodyLine)),
      editableSlot.of(EditorView.editable.of(true)),
      highlightActiveLineGutter(),
      highlightSpecialChars(),
      history(),
      drawSelection(),
      highlightActiveLine(),
      EditorView.lineWrapping,
      bodyLanguage,
      bodyHighlight,
      lintGutter(),
      placeholder("在这里写正文：标题行以“# ”开头，一段一行。可以直接从 Word 粘贴。"),
      // Ctrl+S, as a clerk presses it from habit: everything is saved as
      // typed; this only waits for it, instead of the browser's "save page".
      keymap.of([{ key: "Mod-s", run: () => (flushSave(), true), preventDefault: true }]),
      keymap.of([...defaultKeymap, ...historyKeymap]),
      EditorView.domEventHandlers({ paste: onPaste, drop: onDrop }),
      EditorView.updateListener.of(onUpdate),
    ],
  });
  view = new EditorView({ state, parent: $("editor") });
  window.jianbaoEditor = view; // for the browser tests and the benchmark
}

function numbering(bodyLine) {
  return lineNumbers({ formatNumber: (n) => String(n + bodyLine - 1) });
}

function onUpdate(update) {
  if (!update.docChanged) return;
  if (app.sinceSent) app.sinceSent = app.sinceSent.compose(update.changes);
  if (update.transactions.some((t) => t.annotation(FromServer))) return;
  scheduleSave();
}

/** Puts text from the server into the editor as one undoable change: only
 * the part between what is the same at both ends, so the cursor and the
 * scroll stay where the clerk was. */
function replaceBody(body) {
  const old = view.state.doc.toString();
  if (old === body) return;
  let start = 0;
  const shortest = Math.min(old.length, body.length);
  while (start < shortest && old.charCodeAt(start) === body.charCodeAt(start)) start++;
  let end = 0;
  while (end < shortest - start && old.charCodeAt(old.length - 1 - end) === body.charCodeAt(body.length - 1 - end)) end++;
  // Never split a surrogate pair.
  if (start > 0 && /[\ud800-\udbff]/.test(old[start - 1])) start--;
  if (end > 0 && /[\udc00-\udfff]/.test(old[old.length - end])) end--;
  view.dispatch({
    changes: { from: start, to: old.length - end, insert: body.slice(start, body.length - end) },
    annotations: FromServer.of(true),
  });
}

// ---------------------------------------------------------------- saving

function unsaved() {
  return app.wantSave || app.inFlight !== null || app.frontDirty;
}

function scheduleSave() {
  app.wantSave = true;
  saveState("有改动，正在保存……", "busy");
  if (!app.inFlight && !app.conflict) app.inFlight = saveLoop();
}

/** Latest-wins: one request in flight, then the newest text if it changed. */
async function saveLoop() {
  try {
    while (app.wantSave && !app.conflict) {
      app.wantSave = false;
      await saveOnce();
    }
  } finally {
    app.inFlight = null;
  }
}

async function saveOnce() {
  const key = app.key;
  const request = { base: app.version, body: view.state.doc.toString() };
  if (app.frontDirty) {
    const front = readForm();
    if (front) {
      request.front = front;
      app.frontDirty = false;
    }
  }
  const sent = view.state.doc;
  app.sentDoc = sent;
  app.sinceSent = ChangeSet.empty(sent.length);
  let answer;
  try {
    answer = await api.save(key, request);
  } catch (e) {
    if (request.front) app.frontDirty = true;
    app.wantSave = false;
    // A form value the server refused: said at its field.
    const field = e.json && e.json.field && document.querySelector(`.field[data-field="${CSS.escape(e.json.field)}"]`);
    if (field) {
      field.classList.add("invalid");
      fieldNote(field, e.json.error);
      openAround(field);
      saveState("有改动未保存（请看表单里标红的一项）", "error");
      return;
    }
    saveState("没能保存", "error");
    notice(`没能保存：${e.message}`, "error");
    return;
  }
  if (key !== app.key) return;
  if (answer.status === 409) {
    if (request.front) app.frontDirty = true;
    if (answer.json && answer.json.disk_version === app.version && !app.conflict) {
      // The clerk already chose hers over this very disk text (the change
      // event came first): send it again on that base.
      app.wantSave = true;
      return;
    }
    showConflict(answer.json);
    return;
  }
  applyState(answer.json, { sent });
  if (!app.wantSave) saveState(app.frontDirty ? "有改动未保存（请看表单里标红的一项）" : "已保存", app.frontDirty ? "error" : "ok");
}

/** Waits for every change to be on disk (before a fix, a download…). */
async function flushSave() {
  while (app.inFlight) await app.inFlight;
  if (app.key && (app.wantSave || app.frontDirty) && !app.conflict) {
    app.wantSave = true;
    app.inFlight = saveLoop();
    await app.inFlight;
  }
}

/** An IssueState from the server: version, numbering, problems, pages. */
function applyState(state, { sent }) {
  app.version = state.version;
  if (state.body_line !== app.bodyLine) {
    app.bodyLine = state.body_line;
    view.dispatch({ effects: lineNumbersSlot.reconfigure(numbering(state.body_line)) });
  }
  showProblems(state, sent);
  const fixButton = $("fix");
  fixButton.disabled = !state.fixes;
  // It counts the places it changes; the problems list counts problems,
  // the same kind in one paragraph (or "还有 N 处同类问题") as one.
  fixButton.textContent = state.fixes ? `一键修正（改 ${state.fixes} 个地方）` : "一键修正";
  fixButton.title = state.fixes
    ? `会改 ${state.fixes} 个地方（标点、引号、空格等）；下面的问题列表把同一类问题合在一起算，所以数目可能不一样`
    : "";
  const problem = $("build-problem");
  problem.hidden = !state.build_problem;
  // The build's report is written for a terminal (carets under the
  // place); its last line says what happened, the problems list says
  // where, and the rest is there folded for whoever needs it.
  const report = (state.build_problem || "").trim();
  const lines = report.split("\n").filter((l) => l.trim());
  fill(
    problem,
    report ? `排版没有成功：${lines[lines.length - 1]}` : "",
    lines.length > 1 ? h("details", {}, h("summary", {}, "详细"), h("pre", {}, report)) : null,
  );
  if (state.page_version >= app.pageVersion) {
    app.pageVersion = state.page_version;
    showPages(state.pages || []);
  }
  const meta = (app.publication.issues || []).find((i) => i.key === app.key);
  if (meta && state.front && state.front.number) document.title = `${meta.label} · ${app.publication.title || "简报"}`;
}

// ---------------------------------------------------------------- problems

/** A file position (1-based line, column in characters) in the body text
 * `doc` as the editor counts it (UTF-16), or null when it is not in the body. */
function bodyPos(doc, line, column) {
  const n = line - app.bodyLine + 1;
  if (n < 1 || n > doc.lines) return null;
  const l = doc.line(n);
  let offset = 0;
  let chars = 1;
  for (const ch of l.text) {
    if (chars >= column) break;
    offset += ch.length;
    chars += 1;
  }
  return l.from + offset;
}

function showProblems(state, sent) {
  const diagnostics = state.diagnostics || [];
  const inEditor = [];
  const since = app.sinceSent && app.sentDoc === sent ? app.sinceSent : null;
  const located = diagnostics.map((d) => {
    let from = bodyPos(sent, d.line, d.column);
    if (from === null || d.field) return { d, from: null };
    let to = bodyPos(sent, d.end_line || d.line, d.end_column || d.column);
    if (to === null || to < from) to = from;
    if (to === from) to = sent.lineAt(from).to;
    if (since) {
      from = since.mapPos(from, 1);
      to = since.mapPos(to, -1);
    }
    const length = view.state.doc.length;
    from = Math.min(from, length);
    to = Math.min(Math.max(to, from), length);
    inEditor.push({
      from,
      to,
      severity: d.severity === "error" ? "error" : "warning",
      message: d.help ? `${d.message}\n提示：${d.help}` : d.message,
      source: d.code,
    });
    return { d, from };
  });
  view.dispatch(setDiagnostics(view.state, inEditor));

  for (const el of document.querySelectorAll(".field-problem")) el.remove();
  for (const el of document.querySelectorAll(".field.has-problem")) el.classList.remove("has-problem");

  const errors = diagnostics.filter((d) => d.severity === "error").length;
  $("problem-count").textContent = diagnostics.length
    ? `${errors} 个错误，${diagnostics.length - errors} 个提醒`
    : "没有问题";
  fill(
    $("problems"),
    located.map(({ d, from }) => {
      const field = from === null ? fieldFor(d) : null;
      if (field) {
        openAround(field);
        field.classList.add("has-problem");
        field.appendChild(h("div", { class: `field-problem ${d.severity}` }, d.message, d.help ? `（${d.help}）` : ""));
      }
      return h(
        "li",
        {
          class: `problem ${d.severity}`,
          dataset: { line: d.line, code: d.code },
          tabindex: 0,
          onclick: () => goTo(d, field),
          onkeydown: (e) => e.key === "Enter" && goTo(d, field),
        },
        h("span", { class: "where" }, field ? "表单" : d.line < app.bodyLine ? "文件开头" : `第 ${d.line} 行`),
        h("span", { class: "severity" }, d.severity === "error" ? "错误" : "提醒"),
        h("span", { class: "message" }, d.message),
        d.help ? h("span", { class: "help" }, `办法：${d.help}`) : null,
      );
    }),
  );
}

/** The form field a front-matter problem is about. */
function fieldFor(d) {
  if (d.line >= app.bodyLine && !d.field) return null;
  const name = d.field || "";
  const parts = name.split(".");
  for (let i = parts.length; i > 0; i--) {
    const el = document.querySelector(`.field[data-field="${CSS.escape(parts.slice(0, i).join("."))}"]`);
    if (el) return el;
  }
  const last = parts[parts.length - 1];
  const byLast = last && document.querySelector(`.field[data-field="${CSS.escape(last)}"]`);
  if (byLast) return byLast;
  if (d.line < app.bodyLine) {
    $("front").open = true;
    return document.querySelector("#front-form") && $("front-form");
  }
  return null;
}

/** Unfolds the <details> an element is in, so that it shows. */
function openAround(el) {
  for (let d = el.closest("details"); d; d = d.parentElement && d.parentElement.closest("details")) d.open = true;
}

function goTo(d, field) {
  const pos = bodyPos(view.state.doc, d.line, d.column);
  if (pos !== null && !d.field) {
    view.dispatch({ selection: EditorSelection.cursor(pos), effects: EditorView.scrollIntoView(pos, { y: "center" }) });
    view.focus();
    return;
  }
  if (field) {
    openAround(field);
    const input = field.querySelector("input") || field;
    input.scrollIntoView({ block: "center" });
    input.focus();
  }
}

// ---------------------------------------------------------------- pages

/** Shows the pages; an image whose hash is unchanged is left alone, a
 * changed one is swapped in when its new picture has loaded (no flash). */
function showPages(hashes) {
  const box = $("pages");
  if (!hashes.length) {
    fill(box, h("p", { class: "empty" }, "还没有排好的页面。"));
    app.pages = [];
    return;
  }
  if (!app.pages.length) box.replaceChildren();
  hashes.forEach((hash, i) => {
    let figure = box.children[i];
    if (!figure || figure.tagName !== "FIGURE") {
      figure = h("figure", { class: "page" }, h("img", { alt: `第 ${i + 1} 页` }), h("figcaption", {}, `第 ${i + 1} 页`));
      box.appendChild(figure);
    }
    if (figure.dataset.hash === hash) return;
    figure.dataset.hash = hash;
    const img = new Image();
    img.alt = `第 ${i + 1} 页`;
    img.addEventListener("load", () => {
      if (figure.dataset.hash !== hash) return;
      figure.querySelector("img").replaceWith(img);
      figure.dataset.loaded = hash;
      window.dispatchEvent(new CustomEvent("jianbao:page", { detail: { page: i + 1, hash } }));
    });
    img.src = api.pageUrl(app.key, i + 1, hash);
  });
  while (box.children.length > hashes.length) box.lastElementChild.remove();
  app.pages = hashes.slice();
  box.dataset.count = String(hashes.length);
  fillPngs();
}

function fillPngs() {
  fill(
    $("png-list"),
    h("span", {}, "每页一张 PNG 图片："),
    app.pages.map((hash, i) =>
      h("a", { href: api.pageUrl(app.key, i + 1, hash, "png"), download: `${app.key.replace(/\//g, "-")}-第${i + 1}页.png` }, `第 ${i + 1} 页`),
    ),
  );
}

function togglePngs() {
  const list = $("png-list");
  list.hidden = !list.hidden;
}

// ---------------------------------------------------------------- fix

async function applyFix() {
  try {
    await flushSave();
    if (app.conflict) return;
    const { status, json } = await api.fix(app.key, app.version);
    if (status === 409) return showConflict(json);
    replaceBody(json.body);
    fillForm(json.front, json.text);
    app.sinceSent = null;
    applyState(json, { sent: view.state.doc });
    notice("已按规则修正。要退回，按 Ctrl+Z。", "ok");
  } catch (e) {
    notice(e.message, "error");
  }
}

// ---------------------------------------------------------------- form

function fillForm(front, text = "") {
  front = front || {};
  // A front matter the server could not read comes as {}: the form is
  // empty, and saving it replaces the file's head. Say so before the clerk
  // types into it.
  const head = text.split(/\r?\n/);
  const end = head[0] && head[0].trim() === "+++" ? head.indexOf("+++", 1) : -1;
  const unreadable = !Object.keys(front).length && end > 1 && head.slice(1, end).some((l) => l.trim() && !l.trim().startsWith("#"));
  const distribution = front.distribution || {};
  const defaults = (app.publication && app.publication.defaults) || {};
  app.front = {};
  const fields = FIELDS.map((f) => {
    const value = front[f.key] === undefined || front[f.key] === null ? "" : String(front[f.key]);
    const id = `field-${f.key}`;
    const input = h("input", {
      id,
      name: f.key,
      type: f.kind === "date" ? "date" : "text",
      inputmode: f.kind === "int" ? "numeric" : null,
      placeholder: f.hint || "",
      list: f.list ? `${id}-list` : null,
      oninput: formChanged,
    });
    input.value = value;
    return h(
      "div",
      { class: "field", dataset: { field: f.key } },
      h("label", { for: id }, f.label),
      input,
      f.list ? h("datalist", { id: `${id}-list` }, f.list.map((v) => h("option", { value: v }))) : null,
    );
  });
  const lists = LISTS.map((l) => {
    const custom = Array.isArray(distribution[l.key]);
    app.front[l.key] = { custom, items: custom ? distribution[l.key].slice() : (defaults[l.key] || []).slice() };
    return h("div", { class: "field list-field", dataset: { field: `distribution.${l.key}` } }, listEditor(l));
  });
  fill(
    $("front-form"),
    unreadable
      ? h("p", { id: "front-unreadable", class: "front-unreadable" }, "文件头部（期号、日期等）有写错的地方，表单里显示不出原来的内容（见下面的问题）。在表单里重新填好，保存时会用表单的内容替换文件头部。")
      : null,
    h("div", { class: "fields" }, fields),
    h("details", { id: "lists-box", class: "lists-box" }, h("summary", { id: "lists-summary" }), h("div", { class: "lists" }, lists)),
  );
  summarizeLists();
}

/** The 报/送/发 lists folded into one line: how many units each. */
function summarizeLists() {
  const parts = LISTS.filter((l) => app.front[l.key].items.some((s) => s.trim())).map(
    (l) => `${l.label} ${app.front[l.key].items.filter((s) => s.trim()).length} 个`,
  );
  $("lists-summary").textContent = `报送范围：${parts.length ? parts.join("、") + "单位" : "还没有单位"}（点开修改）`;
}

function listEditor(l) {
  const state = app.front[l.key];
  const box = h("div", { class: "unit-list", dataset: { list: l.key } });
  const redraw = () => {
    fill(
      box,
      h(
        "div",
        { class: "list-label" },
        h("span", { class: "name" }, `${l.label}：`),
        state.custom
          ? h("button", { type: "button", class: "small", onclick: () => { state.custom = false; state.items = ((app.publication.defaults || {})[l.key] || []).slice(); redraw(); formChanged(); } }, "恢复默认")
          : h("span", { class: "default-note" }, state.items.length ? "（本简报的默认名单，改动只用于本期）" : "（无）"),
      ),
      state.items.map((item, i) => {
        const input = h("input", {
          type: "text",
          class: "unit",
          "aria-label": `${l.label}的第 ${i + 1} 个单位`,
          oninput: (e) => { state.items[i] = e.target.value; state.custom = true; formChanged(); },
        });
        input.value = item;
        return h(
          "div",
          { class: "unit-row" },
          input,
          h("button", { type: "button", class: "small remove", title: "删去这个单位", onclick: () => { state.items.splice(i, 1); state.custom = true; redraw(); formChanged(); } }, "删去"),
        );
      }),
      h("button", { type: "button", class: "small add", onclick: () => { state.items.push(""); state.custom = true; redraw(); box.querySelector(".unit-row:last-of-type input").focus(); } }, "＋ 添加单位"),
    );
  };
  redraw();
  return box;
}

function formChanged() {
  app.frontDirty = true;
  summarizeLists();
  scheduleSave();
}

/** The Front the form shows (serve-api.md), or null while a number field
 * holds something that is not a number (marked at the field). */
function readForm() {
  const front = {};
  let ok = true;
  for (const f of FIELDS) {
    const input = $(`field-${f.key}`);
    const value = input.value.trim();
    const field = input.closest(".field");
    const problem = formProblem(f, value, input);
    field.classList.toggle("invalid", !!problem);
    fieldNote(field, problem);
    if (problem) {
      ok = false;
      continue;
    }
    if (!value) continue;
    if (f.kind === "int") front[f.key] = Number(digitsOf(value));
    else front[f.key] = value;
  }
  front.distribution = {};
  for (const l of LISTS) {
    const state = app.front[l.key];
    if (state.custom) front.distribution[l.key] = state.items.map((s) => s.trim()).filter((s) => s);
  }
  return ok ? front : null;
}

/** 第3期, ３, 总第38期, 200份: the digits the clerk meant, or "". */
function digitsOf(value) {
  const v = value
    .replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/^总?第?\s*/, "")
    .replace(/\s*[期份]$/, "");
  return /^\d+$/.test(v) && Number(v) >= 1 ? v : "";
}

/** What is wrong with a form field's value, in plain words (what to type),
 * or "" — checked here so that a wrong value is never written to the file. */
function formProblem(f, value, input) {
  if (f.kind === "int") {
    if (!value || digitsOf(value)) return "";
    return `只填阿拉伯数字，例如 ${f.key === "copies" ? "200" : "3"}`;
  }
  if (f.kind === "date") {
    if (!value) return input.validity && input.validity.badInput ? "日期没有填完：请点日期框选一天" : "请点日期框选一天";
    const m = /^(\d+)-(\d{2})-(\d{2})$/.exec(value);
    const year = m ? Number(m[1]) : NaN;
    if (!m || m[1].length !== 4 || year < 1949 || year > 2100) {
      return `年份${m ? ` ${m[1]} ` : ""}不对：请点日期框重新选一天（年份在 1949 到 2100 之间）`;
    }
    return "";
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return "只能写一行字";
  return "";
}

/** A note under a form field (what to type), or none. */
function fieldNote(field, text) {
  let note = field.querySelector(".field-note");
  if (!text) {
    if (note) note.remove();
    return;
  }
  if (!note) {
    note = h("div", { class: "field-note", role: "alert" });
    field.appendChild(note);
  }
  note.textContent = text;
}

// ---------------------------------------------------------------- conflict

function showConflict(conflict) {
  // The save's 409 and the server's change event may both tell it: one view.
  const shown = document.getElementById("conflict");
  if (shown) shown.remove();
  app.conflict = true;
  app.wantSave = false;
  saveState("文件在别处被改过", "error");
  const mine = view.state.doc.toString();
  const disk = bodyOf(conflict.disk_text);
  const overlay = h(
    "div",
    { id: "conflict", class: "conflict", role: "dialog", "aria-modal": "true" },
    h(
      "div",
      { class: "conflict-box" },
      h("h2", {}, "这一期的文件在别处被改过"),
      h("p", {}, "在这个页面打开之后，有人（或别的程序）改了磁盘上的文件。两边不一样的行标了颜色。请选择保留哪一份；另一份会被替换（选了以后还可以按 Ctrl+Z 找回编辑框里的内容）。"),
      h(
        "div",
        { class: "conflict-sides" },
        h("div", { class: "side" }, h("h3", {}, "磁盘上的正文"), h("pre", { id: "conflict-disk" }, marked(disk, mine))),
        h("div", { class: "side" }, h("h3", {}, "我在这里写的正文"), h("pre", { id: "conflict-mine" }, marked(mine, disk))),
      ),
      h(
        "div",
        { class: "conflict-actions" },
        h("button", { id: "keep-disk", onclick: () => keepDisk(overlay) }, "用磁盘上的"),
        h("button", { id: "keep-mine", class: "primary", onclick: () => keepMine(overlay, conflict) }, "用我的"),
      ),
    ),
  );
  document.body.appendChild(overlay);
  // Until the clerk chooses, nothing more goes into the editor.
  view.dispatch({ effects: editableSlot.reconfigure(EditorView.editable.of(false)) });
  view.contentDOM.blur();
  overlay.querySelector("#keep-mine").focus();
}

function closeConflict(overlay) {
  overlay.remove();
  app.conflict = false;
  view.dispatch({ effects: editableSlot.reconfigure(EditorView.editable.of(true)) });
}

/** The body of an issue file's text: what follows the front matter. */
function bodyOf(text) {
  const lines = text.replace(/^\ufeff/, "").split(/\r?\n/);
  if (lines[0].trim() !== "+++") return text;
  const end = lines.indexOf("+++", 1);
  return end < 0 ? text : lines.slice(end + 1).join("\n");
}

/** A text's lines, those the other text does not have marked. */
function marked(text, other) {
  const theirs = new Set(other.split("\n"));
  return text.split("\n").map((line) => h("span", { class: theirs.has(line) ? "same" : "differs" }, line + "\n"));
}

async function keepDisk(overlay) {
  closeConflict(overlay);
  app.frontDirty = false;
  app.wantSave = false;
  await reloadIssue();
}

function keepMine(overlay, conflict) {
  closeConflict(overlay);
  app.version = conflict.disk_version;
  scheduleSave();
}

/** The file as it is on disk now, into the editor and the form. */
async function reloadIssue() {
  const { json } = await api.issue(app.key);
  replaceBody(json.body);
  fillForm(json.front, json.text);
  app.sinceSent = null;
  applyState(json, { sent: view.state.doc });
  saveState("已保存", "ok");
}

// ---------------------------------------------------------------- paste and pictures

function onPaste(event) {
  const data = event.clipboardData;
  if (!data || !app.key) return false;
  const files = [...data.files].filter((f) => f.type.startsWith("image/"));
  const html = data.getData("text/html");
  // The last paste's notes are about that paste only.
  showNotes([]);
  if (files.length && !(html && textOf(html))) {
    event.preventDefault();
    insertPictures(files, view.state.selection.main.head);
    return true;
  }
  if (!html) return false; // plain text: the editor's own paste
  const read = readClipboard(html);
  if (!read.blocks.length) return false;
  event.preventDefault();
  const { from, to } = view.state.selection.main;
  pasteBlocks(read, from, to);
  return true;
}

function textOf(html) {
  const doc = new DOMParser().parseFromString(html, "text/html");
  return (doc.body.textContent || "").trim();
}

async function pasteBlocks(read, from, to) {
  saveState("正在转换粘贴的内容……", "busy");
  try {
    const { json } = await api.paste(app.key, read.blocks);
    // A few words from inside a paragraph go in where the cursor is.
    // Nothing to put in (pictures the clipboard only linked): the
    // selection stays, the notes say why.
    const first = !json.text.trim()
      ? view.state.doc.lineAt(from).number
      : read.inline
        ? insertInline(json.text, from, to)
        : insertLines(json.text, from, to);
    // The notes stay in the box above the editor (not over the pages),
    // each at the editor's line it is about.
    const lines = json.note_lines || [];
    showNotes([
      ...read.notes.map((text) => ({ text, line: null })),
      ...(json.notes || []).map((text, i) => ({ text, line: lines[i] ? first + lines[i] - 1 : null })),
    ]);
  } catch (e) {
    notice(`粘贴没有成功：${e.message}`, "error");
    saveState("", "");
  }
}

/** The paste's notes; one about a line (an editor line, from 1) says the
 * file's line number, as the problems do, and goes there when clicked. */
function showNotes(notes) {
  const box = $("paste-notes");
  const item = (n) => {
    if (!n.line || n.line > view.state.doc.lines) return h("li", {}, n.text);
    const go = () => {
      view.dispatch({ selection: EditorSelection.cursor(view.state.doc.line(n.line).from), scrollIntoView: true });
      view.focus();
    };
    return h(
      "li",
      { class: "at-line", tabindex: 0, dataset: { line: n.line + app.bodyLine - 1 }, onclick: go, onkeydown: (e) => e.key === "Enter" && go() },
      h("span", { class: "where" }, `第 ${n.line + app.bodyLine - 1} 行`),
      "：",
      n.text,
    );
  };
  fill(box, notes.length ? [h("strong", {}, "粘贴时："), h("ul", {}, notes.map(item))] : []);
  box.hidden = !notes.length;
}

/** Text inside a line, at a place: its line breaks as they are. */
function insertInline(text, from, to = from) {
  const insert = text.replace(/\r\n?/g, "\n").replace(/^\n+|\n+$/g, "");
  const first = view.state.doc.lineAt(from).number;
  view.dispatch({
    changes: { from, to, insert },
    selection: EditorSelection.cursor(from + insert.length),
    scrollIntoView: true,
  });
  view.focus();
  return first;
}

/** Lines in the body at a place: on lines of their own. */
function insertLines(text, from, to = from) {
  const doc = view.state.doc;
  let insert = text.replace(/\r\n?/g, "\n").replace(/\n+$/, "");
  let first = doc.lineAt(from).number;
  if (from > doc.lineAt(from).from) {
    insert = "\n" + insert;
    first += 1;
  }
  if (to < doc.lineAt(to).to) insert = insert + "\n";
  view.dispatch({
    changes: { from, to, insert },
    selection: EditorSelection.cursor(from + insert.length),
    scrollIntoView: true,
  });
  view.focus();
  return first;
}

function onDrop(event) {
  const files = [...((event.dataTransfer && event.dataTransfer.files) || [])];
  if (!files.length) return false;
  event.preventDefault();
  const pos = view.posAtCoords({ x: event.clientX, y: event.clientY });
  insertPictures(files, pos === null ? view.state.selection.main.head : pos);
  return true;
}

async function insertPictures(files, pos) {
  for (const file of files) {
    try {
      const { json } = await api.picture(app.key, file);
      const at = Math.min(pos, view.state.doc.length);
      insertLines(json.line, at);
      pos = view.state.selection.main.head;
      notice(`图片已存为 ${json.path}`, "ok");
    } catch (e) {
      notice(`图片“${file.name}”没有存上：${e.message}`, "error");
    }
  }
}

// ---------------------------------------------------------------- events

function listen() {
  const events = new EventSource("api/events");
  events.addEventListener("changed", async (e) => {
    const data = JSON.parse(e.data);
    if (data.key !== app.key) {
      if (!app.key) refreshList().catch(() => {});
      return;
    }
    // A save on its way is answered first: it may be what changed the file
    // (then the versions agree), or it meets the change itself (a 409).
    while (app.inFlight) await app.inFlight;
    if (data.version === app.version || app.conflict) return;
    if (!unsaved()) {
      await reloadIssue();
      notice("文件在别处被改过，已重新读入。", "info");
    } else {
      const { json } = await api.issue(app.key);
      if (json.version !== app.version) showConflict({ conflict: true, disk_text: json.text, disk_version: json.version });
    }
  });
  events.addEventListener("built", async (e) => {
    const data = JSON.parse(e.data);
    if (data.key !== app.key) {
      if (!app.key) refreshList().catch(() => {});
      return;
    }
    // A save on its way brings the pages itself.
    while (app.inFlight) await app.inFlight;
    if (data.key !== app.key || data.page_version <= app.pageVersion) return;
    const { json } = await api.issue(app.key);
    if (json.version === app.version && !unsaved()) applyState(json, { sent: view.state.doc });
    else if (json.page_version > app.pageVersion) {
      app.pageVersion = json.page_version;
      showPages(json.pages || []);
    }
  });
}

// ---------------------------------------------------------------- start

// Pictures dropped anywhere on the issue go in at the cursor; elsewhere
// the browser would open them and leave the page.
window.addEventListener("dragover", (e) => e.preventDefault());
window.addEventListener("drop", (e) => {
  e.preventDefault();
  const files = [...((e.dataTransfer && e.dataTransfer.files) || [])];
  if (files.length && view && app.key && !view.dom.contains(e.target)) insertPictures(files, view.state.selection.main.head);
});
window.addEventListener("keydown", (e) => {
  if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s") {
    e.preventDefault();
    if (app.key) flushSave();
  }
});
window.addEventListener("beforeunload", (e) => {
  if (unsaved()) e.preventDefault();
});
window.addEventListener("hashchange", route);
listen();
route();
