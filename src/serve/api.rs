//! The routes of the clerk's page, all under `/<token>/` (the contract:
//! `docs/commands.md#jianbao-serve`): the page and its files, the fonts,
//! the publication's issues, one issue read and written, its fixes,
//! pictures, paste, pages, downloads, build-all and the event stream.
//! A GET never changes a file; every write goes through `sandbox`'s
//! `Folder` (temporary file and rename in the file's own folder), only
//! while the file still holds what the page last read.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::events::Events;
use super::front;
use super::http::{Handler, JSON, Method, Reply, Request, Response, lock};
use super::jobs::Jobs;
use super::pictures::{self, PICTURE_LIMIT};
use super::token::Token;
use super::workspace::{Workspace, version_of};
use crate::archive::{BuildOptions, Outcome};
use crate::diagnostic::{Diagnostic, UsageError};
use crate::publication::{Publication, Selection};
use crate::sandbox::{self, Folder, TEXT_LIMIT};

/// A PUT carries the whole issue file as JSON: its 16 MB and the JSON's
/// escapes of a few marks.
const PUT_LIMIT: usize = 16 * 1024 * 1024 + 64 * 1024;
const PASTE_LIMIT: usize = 32 * 1024 * 1024;
/// `{}`, `{"base": …}`.
const SMALL_LIMIT: usize = 64 * 1024;
/// PNG pages are drawn at the resolution of `build --format png`.
const PNG_PPI: f32 = 150.0;

pub struct Api(Arc<Routes>);

struct Routes {
    token: Token,
    workspace: Arc<Workspace>,
    events: Arc<Events>,
    jobs: Jobs,
}

impl Api {
    pub fn new(token: Token, workspace: Arc<Workspace>, events: Arc<Events>, jobs: Jobs) -> Api {
        Api(Arc::new(Routes {
            token,
            workspace,
            events,
            jobs,
        }))
    }
}

type Answer = Result<Response, Response>;

impl Handler for Api {
    fn body_limit(&self, request: &Request) -> usize {
        let Some(rest) = self.0.rest(&request.path) else {
            return 0;
        };
        let parts: Vec<&str> = rest.split('/').collect();
        match (request.method, parts.as_slice()) {
            (Method::Put, ["api", "issues", _]) => PUT_LIMIT,
            (Method::Post, ["api", "issues", _, "pictures"]) => PICTURE_LIMIT,
            (Method::Post, ["api", "paste"]) => PASTE_LIMIT,
            (Method::Post | Method::Put, _) => SMALL_LIMIT,
            _ => 0,
        }
    }

    fn handle(&self, request: Request) -> Reply {
        let Some(rest) = self.0.rest(&request.path) else {
            return Reply::Full(Response::new(
                403,
                "text/plain; charset=utf-8",
                "请用 jianbao serve 打印的地址打开（地址里带着这次运行的密钥）\n"
                    .as_bytes()
                    .to_vec(),
            ));
        };
        let parts: Option<Vec<String>> = rest.split('/').map(decode).collect();
        let Some(parts) = parts else {
            return Reply::Full(Response::error(
                400,
                "地址有误",
                "用页面里的按钮和链接，不要手写地址",
            ));
        };
        let names: Vec<&str> = parts.iter().map(String::as_str).collect();
        match (request.method, names.as_slice()) {
            (Method::Get, ["api", "events"]) => {
                let events = self.0.events.clone();
                return Reply::Events(Box::new(move |stream| {
                    let _ = events.add(stream);
                }));
            }
            // The page's own files need no job.
            (Method::Get | Method::Head, [] | [""] | ["assets", ..] | ["fonts", _]) => {
                return Reply::Full(self.0.route(&request, &names).unwrap_or_else(|e| e));
            }
            _ => {}
        }
        let routes = self.0.clone();
        let answer = self.0.jobs.run(move || {
            let names: Vec<&str> = parts.iter().map(String::as_str).collect();
            routes.route(&request, &names)
        });
        // A bug in a route is one answer's 500, never the server's end.
        Reply::Full(match answer {
            Some(answer) => answer.unwrap_or_else(|e| e),
            None => Response::error(
                500,
                "jianbao 出错了，这个请求没有完成",
                "这是 jianbao 的错误；请把出错前做的操作告诉维护的人",
            ),
        })
    }
}

/// A path segment percent-decoded (`2023%2F004` → `2023/004`); `None`
/// for bytes that are not UTF-8, a NUL or a line break.
fn decode(segment: &str) -> Option<String> {
    let text = percent_encoding::percent_decode_str(segment)
        .decode_utf8()
        .ok()?
        .into_owned();
    (!text.contains(['\0', '\n', '\r'])).then_some(text)
}

fn ok_json(status: u16, value: &Value) -> Response {
    Response::new(status, JSON, value.to_string().into_bytes())
}

fn not_found(what: &str) -> Response {
    Response::error(404, what, "回到期刊列表，重新打开这一期")
}

fn method_not_allowed() -> Response {
    Response::error(405, "这个地址不接受这种请求", "用页面里的按钮操作")
        .with("Allow", "GET, HEAD, POST, PUT")
}

fn usage(status: u16, e: &UsageError) -> Response {
    Response::error(status, &e.message, e.help.as_deref().unwrap_or(""))
}

/// The JSON body as `T`, or a 400 that says what is wrong.
fn body<T: for<'de> Deserialize<'de>>(request: &Request) -> Result<T, Response> {
    serde_json::from_slice(&request.body).map_err(|e| {
        Response::error(
            400,
            &format!("请求的内容有误：{e}"),
            "这是页面和 jianbao 版本不一致造成的；刷新页面再试",
        )
    })
}

impl Routes {
    /// The path after `/<token>`, when the token is right.
    fn rest<'p>(&self, path: &'p str) -> Option<&'p str> {
        let path = path.strip_prefix('/')?;
        let (token, rest) = path.split_once('/').unwrap_or((path, ""));
        self.token.matches(token).then_some(rest)
    }

    fn route(&self, request: &Request, parts: &[&str]) -> Answer {
        use Method::{Get, Head, Post, Put};
        let read = matches!(request.method, Get | Head);
        match (request.method, parts) {
            (_, [] | [""]) if read => self.asset("index.html"),
            (_, ["assets", name @ ..]) if read => self.asset(&name.join("/")),
            (_, ["fonts", role]) if read => font(role),
            (_, ["api", "publication"]) if read => self.publication(),
            (Post, ["api", "issues"]) => self.new_issue(),
            (_, ["api", "issues", key]) if read => {
                let mut p = self.workspace.publication();
                // A file changed on disk that the publication has not read
                // again yet (the watch is on its way): read it now, so that
                // the problems are those of the text answered.
                let (index, bytes) = self.read_issue(&p, key)?;
                let read_as = p.issues[index]
                    .issue
                    .as_ref()
                    .map(|i| i.source.text.as_bytes());
                if read_as != Some(bytes.as_slice()) {
                    let _writing = lock(&self.workspace.writing);
                    p = self.workspace.refresh().map_err(|e| usage(500, &e))?;
                    // Its pages too (in memory): the watch, finding this
                    // version known, will not.
                    if self.workspace.built(key).is_some() {
                        let built = self.workspace.build(&p, key);
                        self.events.send(
                            "built",
                            &json!({ "key": key, "page_version": built.page_version }),
                        );
                    }
                }
                let state = self.issue_state(&p, key)?;
                Ok(ok_json(200, &state))
            }
            (Put, ["api", "issues", key]) => self.put(request, key),
            (Post, ["api", "issues", key, "fix"]) => self.fix(request, key),
            (Post, ["api", "issues", key, "pictures"]) => self.picture(request, key),
            (Post, ["api", "paste"]) => self.paste(request),
            (Post, ["api", "build-all"]) => self.build_all(),
            (_, ["pages", key, page]) if read => self.page(key, page),
            (_, ["download", file]) if read => self.download(file),
            (_, [] | [""] | ["assets", ..] | ["fonts", _] | ["pages", _, _] | ["download", _])
            | (
                _,
                [
                    "api",
                    "publication" | "issues" | "paste" | "build-all" | "events",
                ],
            )
            | (_, ["api", "issues", _] | ["api", "issues", _, "fix" | "pictures"]) => {
                Err(method_not_allowed())
            }
            _ => Err(not_found("没有这个地址")),
        }
    }

    fn asset(&self, name: &str) -> Answer {
        let (bytes, kind) =
            super::assets::web(name).ok_or_else(|| not_found("页面里没有这个文件"))?;
        Ok(Response::new(200, kind, bytes.to_vec()))
    }

    /// `Publication`: the title, every issue with its status, the
    /// distribution `new` writes.
    fn publication(&self) -> Answer {
        let p = self.workspace.publication();
        let config = p.config.as_ref();
        let builder = self.workspace.builder(&p).ok();
        // Only an output folder that is there: opening the manifest's
        // folder makes it, and a GET makes nothing.
        let mut manifest = builder
            .as_ref()
            .filter(|_| p.output_dir().is_dir())
            .and_then(|b| b.manifest_folder())
            .map(|f| crate::manifest::Manifest::load(&f));
        let mut issues = Vec::new();
        for entry in &p.issues {
            let errors = entry.diagnostics.iter().filter(|d| d.is_error()).count();
            let warnings = entry.diagnostics.len() - errors;
            let status = match (&entry.issue, &builder, &mut manifest) {
                _ if errors > 0 => "problems",
                (None, ..) => "problems",
                (Some(issue), Some(builder), Some(manifest)) => {
                    let pdf = p.output_path(&entry.file.id);
                    if !pdf.is_file() {
                        "unbuilt"
                    } else if builder
                        .inputs(issue, manifest)
                        .is_some_and(|inputs| manifest.is_current(&entry.file.id, &inputs))
                    {
                        "current"
                    } else {
                        "stale"
                    }
                }
                _ => "unbuilt",
            };
            let (label, date, title) = match &entry.issue {
                Some(issue) => {
                    let edition = issue.front.edition.as_deref().unwrap_or_default();
                    let year = entry
                        .file
                        .id
                        .split_once('/')
                        .map(|(y, _)| format!("{y}年"))
                        .unwrap_or_default();
                    (
                        format!("{year}{edition}第{}期", issue.number().0),
                        issue.date().to_string(),
                        first_title(issue),
                    )
                }
                // A file that does not parse: its number from its name
                // (`002` → 第2期), as the list names the others.
                None => (label_of_key(&entry.file.id), String::new(), String::new()),
            };
            issues.push(json!({
                "key": entry.file.id,
                "label": label,
                "date": date,
                "title": title,
                "status": status,
                "errors": errors,
                "warnings": warnings,
            }));
        }
        let list = |units: &[crate::source::Spanned<String>]| -> Vec<String> {
            units.iter().map(|u| u.value.clone()).collect()
        };
        let defaults = match config {
            Some(c) => json!({
                "bao": list(&c.defaults.bao),
                "song": list(&c.defaults.song),
                "fa": list(&c.defaults.fa),
            }),
            None => json!({ "bao": [], "song": [], "fa": [] }),
        };
        Ok(ok_json(
            200,
            &json!({
                "title": config.map(|c| c.masthead.title.clone()).unwrap_or_default(),
                // Additive: the 编发单位 of the masthead and the 印发 line
                // (jianbao.toml), for the page to say where they come from.
                "editor": config.map(|c| c.masthead.editor.clone()).unwrap_or_default(),
                "publisher": config.map(|c| c.imprint.publisher.clone()).unwrap_or_default(),
                "issues": issues,
                "defaults": defaults,
            }),
        ))
    }

    /// `jianbao new`.
    fn new_issue(&self) -> Answer {
        let _writing = lock(&self.workspace.writing);
        let p = self.workspace.publication();
        let path = crate::create::new_issue(&p, None).map_err(|e| usage(409, &e))?;
        let p = self.workspace.refresh().map_err(|e| usage(500, &e))?;
        let key = p
            .issues
            .iter()
            .find(|e| e.file.path == path)
            .map(|e| e.file.id.clone())
            .ok_or_else(|| Response::error(500, "新的一期写好了，却读不到", "刷新页面"))?;
        if let Ok(bytes) = sandbox::read(&path, TEXT_LIMIT) {
            self.workspace.remember(&key, &version_of(&bytes));
        }
        Ok(ok_json(201, &json!({ "key": key })))
    }

    /// The issue file's bytes and where it is, or 404.
    fn read_issue(&self, p: &Publication, key: &str) -> Result<(usize, Vec<u8>), Response> {
        let index =
            Workspace::index(p, key).ok_or_else(|| not_found(&format!("没有第 {key} 期")))?;
        let path = &p.issues[index].file.path;
        // As the build reads it: a link out of the publication is refused
        // (its target may be anyone's file), never shown in the editor.
        let bytes = sandbox::inside(&p.root, path)
            .and_then(|real| sandbox::read(&real, TEXT_LIMIT))
            .map_err(|r| {
                Response::error(
                    if matches!(r, sandbox::Refusal::Outside { .. }) {
                        403
                    } else {
                        422
                    },
                    &format!("读不了 {}：{r}", crate::source::show_path(path)),
                    r.help().unwrap_or("看看这个文件还在不在、能不能读"),
                )
            })?;
        Ok((index, bytes))
    }

    /// `IssueState` of the issue as it is on disk (and in `p`): the page
    /// now knows this version.
    fn issue_state(&self, p: &Publication, key: &str) -> Result<Value, Response> {
        let (index, bytes) = self.read_issue(p, key)?;
        self.workspace.remember(key, &version_of(&bytes));
        Ok(self.state_of(p, index, &bytes))
    }

    /// `IssueState` of `bytes`, the issue's file as `p` read it (its
    /// diagnostics are `p`'s).
    fn state_of(&self, p: &Publication, index: usize, bytes: &[u8]) -> Value {
        let entry = &p.issues[index];
        let key = entry.file.id.as_str();
        let version = version_of(bytes);
        let text = String::from_utf8_lossy(bytes).into_owned();
        let split = front::split(&text);
        let (front_json, body_start) = match &split {
            Some(s) => (front::to_json(&text[s.toml.clone()]), s.body_start),
            None => (json!({}), 0),
        };
        let body_line = text[..body_start].matches('\n').count() + 1;
        let diagnostics: Vec<Value> = self
            .workspace
            .diagnostics(p, entry)
            .iter()
            .map(|d| diagnostic_json(d, &text, split.as_ref()))
            .collect();
        let fixes = if p.config.as_ref().is_none_or(|c| c.clean_text) {
            fixes_of(&entry.file.path, &text).len()
        } else {
            0
        };
        let built = self.workspace.built_or_build(key);
        json!({
            "key": key,
            "path": entry.file.path.strip_prefix(&p.root).unwrap_or(&entry.file.path)
                .to_string_lossy().replace('\\', "/"),
            "version": version,
            "text": text,
            "front": front_json,
            "body": &text[body_start..],
            "body_line": body_line,
            "diagnostics": diagnostics,
            "fixes": fixes,
            "pages": built.hashes,
            "page_version": built.page_version,
            "build_problem": built.problem,
        })
    }

    /// PUT: the body (front matter kept byte for byte), or the front
    /// matter from the form and the body.
    fn put(&self, request: &Request, key: &str) -> Answer {
        #[derive(Deserialize)]
        struct Put {
            base: String,
            body: String,
            #[serde(default)]
            front: Option<Map<String, Value>>,
        }
        let put: Put = body(request)?;
        let _writing = lock(&self.workspace.writing);
        let p = self.workspace.publication();
        let (_, bytes) = self.read_issue(&p, key)?;
        conflict_unless(&bytes, &put.base)?;
        // The front matter is kept byte for byte: a file that is not
        // UTF-8 cannot be (its text here has U+FFFD where its bytes were).
        let text = std::str::from_utf8(&bytes).map_err(|_| {
            Response::error(
                422,
                "这个文件不是 UTF-8 文本，在页面上保存会改坏它，没有保存",
                "用编辑器把它另存为 UTF-8，再在页面上打开",
            )
        })?;
        if put.body.chars().count() > LIVE_CHARACTERS {
            return Err(too_long(put.body.chars().count()));
        }
        let split = front::split(text);
        let new = match (&put.front, &split) {
            (None, Some(s)) => format!("{}{}", &text[..s.body_start], put.body),
            (None, None) => put.body.clone(),
            (Some(form), _) => {
                let old = split.as_ref().map_or("", |s| &text[s.toml.clone()]);
                let toml = front::rewrite(old, form).map_err(|bad| {
                    let json = json!({
                        "error": bad.message,
                        "help": "改正表单里的这一项再保存",
                        "field": (!bad.field.is_empty()).then_some(bad.field),
                    });
                    Response::new(422, JSON, json.to_string().into_bytes())
                })?;
                let bom = if text.starts_with('\u{feff}') {
                    "\u{feff}"
                } else {
                    ""
                };
                format!("{bom}+++\n{toml}+++\n{}", put.body)
            }
        };
        self.write_and_build(&p, key, &bytes, new.as_bytes())
    }

    /// `check --fix` on the file as the page last read it.
    fn fix(&self, request: &Request, key: &str) -> Answer {
        #[derive(Deserialize)]
        struct Fix {
            base: String,
        }
        let fix: Fix = body(request)?;
        let _writing = lock(&self.workspace.writing);
        let p = self.workspace.publication();
        let (index, bytes) = self.read_issue(&p, key)?;
        conflict_unless(&bytes, &fix.base)?;
        if p.config.as_ref().is_some_and(|c| !c.clean_text) {
            return Err(Response::error(
                422,
                "jianbao.toml 里 [text] clean = false：正文保持原样，没有修改",
                "要自动修正，把 jianbao.toml 里的 clean = false 删掉",
            ));
        }
        let text = std::str::from_utf8(&bytes).map_err(|_| {
            Response::error(422, "这个文件不是 UTF-8 文本", "用编辑器把它另存为 UTF-8")
        })?;
        let fixes = fixes_of(&p.issues[index].file.path, text);
        let new = crate::clean::apply(text, &fixes);
        self.write_and_build(&p, key, &bytes, new.as_bytes())
    }

    /// Writes `new` over the issue file that held `old` (atomically, only
    /// while it still does), reads the publication again, builds the
    /// issue and answers its `IssueState` with the new pages' hashes.
    fn write_and_build(&self, p: &Publication, key: &str, old: &[u8], new: &[u8]) -> Answer {
        if new.len() as u64 > TEXT_LIMIT {
            return Err(Response::error(
                413,
                &format!(
                    "这一期有 {}，超过期刊文件的上限 {}，没有保存",
                    sandbox::human_size(new.len() as u64),
                    sandbox::human_size(TEXT_LIMIT)
                ),
                "把这一期拆成几期",
            ));
        }
        let index =
            Workspace::index(p, key).ok_or_else(|| not_found(&format!("没有第 {key} 期")))?;
        let path = &p.issues[index].file.path;
        let shown = crate::source::show_path(path);
        if new != old {
            // Through a link to the file it names, inside the publication
            // only (as `check --fix` writes).
            let target = path.canonicalize().map_err(|e| {
                Response::error(
                    500,
                    &format!("无法保存 {shown}：{e}"),
                    "看看这个文件还在不在",
                )
            })?;
            if !target.starts_with(&p.root) {
                return Err(Response::error(
                    403,
                    &format!("{shown} 链接到简报文件夹外面，没有保存"),
                    "把期刊文件放进简报文件夹里",
                ));
            }
            let name = target
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let folder = target.parent().unwrap_or(&p.root);
            let written = Folder::open(&p.root, folder)
                .and_then(|folder| folder.replace_if_unchanged(&name, new, old));
            match written {
                Ok(_) => {}
                Err(e) if matches!(e.problem(), sandbox::Problem::Changed) => {
                    let disk = sandbox::read(path, TEXT_LIMIT).unwrap_or_default();
                    return Err(conflict(&disk));
                }
                Err(e) => {
                    let e = UsageError::cannot(&format!("无法保存 {shown}"), &e);
                    return Err(usage(500, &e));
                }
            }
            self.workspace.remember(key, &version_of(new));
        }
        let p = self.workspace.refresh().map_err(|e| usage(500, &e))?;
        let built = self.workspace.build(&p, key);
        self.events.send(
            "built",
            &json!({ "key": key, "page_version": built.page_version }),
        );
        // The answer is about the bytes this request wrote, never a later
        // read: a colleague's save that landed since (then also what the
        // publication was read from) is not the page's text, and a page
        // told its version would save over it on the next keystroke. It
        // is a conflict (and a `changed` event, as it is not remembered).
        let (index, disk) = self.read_issue(&p, key)?;
        if disk != new {
            return Err(conflict(&disk));
        }
        Ok(ok_json(200, &self.state_of(&p, index, new)))
    }

    /// A picture dropped or pasted on the page.
    fn picture(&self, request: &Request, key: &str) -> Answer {
        let p = self.workspace.publication();
        Workspace::index(&p, key).ok_or_else(|| not_found(&format!("没有第 {key} 期")))?;
        let name = request
            .header("x-file-name")
            .and_then(|n| percent_encoding::percent_decode_str(n).decode_utf8().ok())
            .map(|n| n.into_owned())
            .unwrap_or_default();
        let _writing = lock(&self.workspace.writing);
        let saved = pictures::save(&p.root, &name, &request.body).map_err(
            |pictures::NotSaved(status, error, help)| Response::error(status, &error, &help),
        )?;
        Ok(ok_json(
            201,
            &json!({ "path": saved.path, "line": saved.line }),
        ))
    }

    /// A clipboard as body lines, its `data:` pictures saved.
    fn paste(&self, request: &Request) -> Answer {
        #[derive(Deserialize)]
        struct Paste {
            key: String,
            blocks: Vec<crate::import::PasteBlock>,
        }
        let paste: Paste = body(request)?;
        paste_within_limits(&paste.blocks)?;
        let p = self.workspace.publication();
        Workspace::index(&p, &paste.key)
            .ok_or_else(|| not_found(&format!("没有第 {} 期", paste.key)))?;
        let clean = p.config.as_ref().is_none_or(|c| c.clean_text);
        let _writing = lock(&self.workspace.writing);
        let mut place = |src: &str| -> Result<String, String> {
            let bytes = data_url(src)?;
            pictures::save(&p.root, "粘贴的图片", &bytes)
                .map(|s| s.path)
                .map_err(|pictures::NotSaved(_, error, help)| format!("{error}（{help}）"))
        };
        let pasted = crate::import::paste(&paste.blocks, clean, &mut place);
        if pasted.text.chars().count() > LIVE_CHARACTERS {
            return Err(too_long(pasted.text.chars().count()));
        }
        Ok(ok_json(
            200,
            &json!({ "text": pasted.text, "notes": pasted.notes, "note_lines": pasted.note_lines }),
        ))
    }

    /// Page `n` of the last good build, as SVG or PNG.
    fn page(&self, key: &str, page: &str) -> Answer {
        let (n, png) = match page.rsplit_once('.') {
            Some((n, "svg")) => (n, false),
            Some((n, "png")) => (n, true),
            _ => return Err(not_found("没有这一页")),
        };
        let n = n
            .parse::<usize>()
            .ok()
            .filter(|n| *n >= 1 && n.to_string().len() <= 6)
            .ok_or_else(|| not_found("没有这一页"))?;
        let p = self.workspace.publication();
        Workspace::index(&p, key).ok_or_else(|| not_found(&format!("没有第 {key} 期")))?;
        let built = self.workspace.built_or_build(key);
        let svg = built
            .svgs
            .get(n - 1)
            .ok_or_else(|| not_found(&format!("第 {key} 期没有第 {n} 页")))?;
        if !png {
            // Opened by itself, a page's SVG runs nothing.
            return Ok(
                Response::new(200, "image/svg+xml", svg.as_bytes().to_vec()).with(
                    "Content-Security-Policy",
                    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:",
                ),
            );
        }
        let document = built
            .document
            .as_ref()
            .ok_or_else(|| not_found("这一期还没有排好的页面"))?;
        let png = crate::typeset::png_page(document, n - 1, PNG_PPI).map_err(|e| {
            Response::error(500, &format!("做不出第 {n} 页的图片：{e}"), "再试一次")
        })?;
        Ok(Response::new(200, "image/png", png))
    }

    /// The issue built now (as `build` would), as a download.
    fn download(&self, file: &str) -> Answer {
        let (key, pdf) = match file.rsplit_once('.') {
            Some((key, "pdf")) => (key, true),
            Some((key, "docx")) => (key, false),
            _ => return Err(not_found("只能下载 .pdf 和 .docx")),
        };
        let p = self.workspace.publication();
        let index =
            Workspace::index(&p, key).ok_or_else(|| not_found(&format!("没有第 {key} 期")))?;
        let entry = &p.issues[index];
        let mut name = p
            .output_path(key)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| format!("{key}.pdf"));
        let refused = |problem: String| {
            Response::error(
                422,
                &format!("第 {key} 期现在生成不了：{problem}"),
                "先改掉页面上列出的错误",
            )
        };
        let (bytes, kind) = if pdf {
            let document = self.workspace.lay_out(&p, key).map_err(refused)?;
            let issue = entry
                .issue
                .as_ref()
                .ok_or_else(|| refused("有错误".into()))?;
            let engine = self.workspace.engine(&p).map_err(refused)?;
            let config = p
                .config
                .as_ref()
                .ok_or_else(|| refused("jianbao.toml 有错误".into()))?;
            let settings = self
                .workspace
                .settings(&p)
                .ok_or_else(|| refused("jianbao.toml 有错误".into()))?;
            let ident = format!("jianbao:{}:{key}", config.imprint.publisher);
            let bytes = crate::typeset::export_pdf(
                &engine,
                &document,
                &ident,
                issue.date(),
                settings.pdf_standard,
            )
            .map_err(|errors| {
                refused(
                    errors
                        .iter()
                        .map(|e| e.to_string())
                        .collect::<Vec<_>>()
                        .join("；"),
                )
            })?;
            (bytes, "application/pdf")
        } else {
            let errors = self
                .workspace
                .diagnostics(&p, entry)
                .iter()
                .any(Diagnostic::is_error);
            let issue = entry
                .issue
                .as_ref()
                .filter(|_| !errors)
                .ok_or_else(|| refused("有错误".into()))?;
            let config = p
                .config
                .as_ref()
                .ok_or_else(|| refused("jianbao.toml 有错误".into()))?;
            let engine = self.workspace.engine(&p).map_err(refused)?;
            let (bytes, _) = crate::docx::document(issue, config, &engine.fonts, &p.root)
                .map_err(|e| refused(e.to_string()))?;
            name = name.trim_end_matches(".pdf").to_string() + ".docx";
            (
                bytes,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            )
        };
        let encoded = percent_encoding::utf8_percent_encode(&name, FILE_NAME);
        Ok(Response::new(200, kind, bytes).with(
            "Content-Disposition",
            format!("attachment; filename*=UTF-8''{encoded}"),
        ))
    }

    /// `jianbao build`: every issue not current, into the output folder.
    fn build_all(&self) -> Answer {
        let _writing = lock(&self.workspace.writing);
        let mut p = self.workspace.load().map_err(|e| usage(500, &e))?;
        let selection = Selection {
            issues: (0..p.issues.len()).collect(),
            all: true,
        };
        let settings_standard = self.workspace.settings(&p).and_then(|s| s.pdf_standard);
        p.check_pictures(&selection, settings_standard);
        let builder = self
            .workspace
            .builder(&p)
            .map_err(|e| Response::error(422, &e, "先改掉 jianbao.toml 里的错误"))?;
        let (mut built, mut current, mut failed) = (0, 0, Vec::new());
        builder.build(&selection.issues, &BuildOptions::default(), |_| {}, |entry, outcome| {
            let key = entry.file.id.clone();
            match outcome {
                Outcome::Written { .. } => built += 1,
                Outcome::UpToDate { .. } => current += 1,
                Outcome::HasErrors { .. } => failed.push(json!({"key": key, "message": "有错误，没有生成"})),
                Outcome::Failed { errors, .. } => failed.push(json!({
                    "key": key,
                    "message": errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("；"),
                })),
                Outcome::WriteFailed { path, error, kept } => failed.push(json!({
                    "key": key,
                    "message": crate::archive::write_failed(&path, &error, kept).message,
                })),
            }
        });
        Ok(ok_json(
            200,
            &json!({
                "built": built, "current": current, "failed": failed,
                // Where they are, for the clerk to open in her file manager.
                "folder": p.output_dir().to_string_lossy(),
            }),
        ))
    }
}

fn font(role: &str) -> Answer {
    let (bytes, kind) = super::assets::font(role).ok_or_else(|| not_found("没有这种字体"))?;
    Ok(Response::new(200, kind, bytes.to_vec()).with("Cache-Control", "private, max-age=86400"))
}

/// 409 unless the file still has the version the page read.
fn conflict_unless(bytes: &[u8], base: &str) -> Result<(), Response> {
    if version_of(bytes) == base {
        Ok(())
    } else {
        Err(conflict(bytes))
    }
}

fn conflict(disk: &[u8]) -> Response {
    ok_json(
        409,
        &json!({
            "conflict": true,
            "disk_text": String::from_utf8_lossy(disk),
            "disk_version": version_of(disk),
        }),
    )
}

/// The fixes `check --fix` would make to `text`.
fn fixes_of(path: &std::path::Path, text: &str) -> Vec<crate::clean::Fix> {
    let source = crate::source::SourceFile::new(path.to_path_buf(), text.to_string());
    let mut diags = Vec::new();
    let parsed = crate::issue::Parsed::parse(String::new(), source.clone(), &mut diags);
    match &parsed.body {
        Some(body) => crate::clean::file_fixes(&source.text, body),
        None => Vec::new(),
    }
}

/// A diagnostic as the page shows it: lines and columns (characters,
/// from 1) in the file, the front-matter key it is about.
fn diagnostic_json(d: &Diagnostic, text: &str, split: Option<&front::Split>) -> Value {
    let (line, column) = d.line_col();
    let (end_line, end_column, field) = match &d.location {
        Some(loc) => {
            let (l, c) = loc.file.line_col(loc.span.end);
            let field = split
                .filter(|s| s.toml.contains(&loc.span.start))
                .and_then(|s| front::key_at(&text[s.toml.clone()], loc.span.start - s.toml.start));
            (l, c, field)
        }
        None => (line, column, None),
    };
    json!({
        "severity": d.severity,
        "code": d.code,
        "message": for_the_page(&d.message),
        "help": d.help.as_deref().map(for_the_page),
        "line": line,
        "column": column,
        "end_line": end_line,
        "end_column": end_column,
        "field": field,
    })
}

/// The most characters of text an issue may have on the page: each save
/// lays it out again, on the one thread that also answers the page's
/// reads, and a bulletin is a few pages (≈ 700 characters each). A longer
/// file is built with `jianbao build`.
const LIVE_CHARACTERS: usize = 200_000;

/// Columns of one pasted table: a wider one cannot be printed (check says
/// so of any table wider than its page), and each column costs its row.
const PASTE_COLUMNS: usize = 64;

/// Cells of one clipboard's tables.
const PASTE_CELLS: usize = 20_000;

fn too_long(characters: usize) -> Response {
    Response::error(
        413,
        &format!(
            "这一期有 {characters} 个字，超过页面上排版的上限 {LIVE_CHARACTERS} 个字，没有保存"
        ),
        "把这一期拆成几期；很长的文件用命令行 jianbao build 生成",
    )
}

/// A clipboard the page may turn into lines: its tables printable, its
/// text within what a page lays out (refused before any work is done).
fn paste_within_limits(blocks: &[crate::import::PasteBlock]) -> Result<(), Response> {
    use crate::import::PasteBlock;
    let mut cells = 0usize;
    let mut characters = 0usize;
    let count = |runs: &[crate::import::PasteRun]| -> usize {
        runs.iter().map(|r| r.text.chars().count()).sum()
    };
    for block in blocks {
        match block {
            PasteBlock::Para { runs, .. } => characters += count(runs),
            PasteBlock::Table { rows } => {
                for row in rows {
                    let columns: usize = row
                        .iter()
                        .map(|c| c.colspan.clamp(1, PASTE_COLUMNS + 1))
                        .sum();
                    if columns > PASTE_COLUMNS {
                        return Err(Response::error(
                            422,
                            &format!(
                                "表格有一行宽到 {columns} 列，超过 {PASTE_COLUMNS} 列，印不下，没有粘贴"
                            ),
                            "在 Word 或表格软件里把表格拆成几张窄一些的表，再分别粘贴",
                        ));
                    }
                    cells += row.len();
                    characters += row.iter().map(|c| count(&c.runs)).sum::<usize>();
                }
            }
            PasteBlock::Picture { .. } => {}
        }
    }
    if cells > PASTE_CELLS {
        return Err(Response::error(
            422,
            &format!("粘贴的表格一共有 {cells} 格，超过上限 {PASTE_CELLS} 格，没有粘贴"),
            "分几次粘贴，或把表格拆成几张",
        ));
    }
    if characters > LIVE_CHARACTERS {
        return Err(Response::error(
            413,
            &format!(
                "粘贴的内容有 {characters} 个字，超过页面上排版的上限 {LIVE_CHARACTERS} 个字，没有粘贴"
            ),
            "分几次粘贴，或把内容拆成几期",
        ));
    }
    Ok(())
}

/// `002` → 第2期, `2023/004` → 2023年第4期; a name that is no number as
/// it is.
fn label_of_key(key: &str) -> String {
    let (year, name) = match key.rsplit_once('/') {
        Some((year, name)) => (format!("{year}年"), name),
        None => (String::new(), key),
    };
    match name.parse::<u32>() {
        Ok(n) => format!("{year}第{n}期"),
        Err(_) => key.to_string(),
    }
}

/// A check's words for the terminal, said as the page does it: its
/// 一键修正 button is what `jianbao check --fix` is on the command line.
fn for_the_page(words: &str) -> String {
    words
        .replace("jianbao check --fix 不", "「一键修正」不")
        .replace("jianbao check --fix", "点「一键修正」")
}

/// RFC 5987's attr-char kept as it is in a download's name: `004.pdf`,
/// `2023-004.pdf`.
const FILE_NAME: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'.')
    .remove(b'-')
    .remove(b'_');

/// The bytes of a `data:` URL (base64 or percent-encoded); a `file:` or
/// `http(s):` picture is never fetched: said why instead.
fn data_url(src: &str) -> Result<Vec<u8>, String> {
    use base64::Engine as _;
    let lower = src.get(..8).unwrap_or(src).to_ascii_lowercase();
    if lower.starts_with("file:") {
        return Err("剪贴板里只有这张图片的本机文件链接（file:），没有图片本身：请把图片拖到页面上，或在 Word 里复制图片本身".into());
    }
    if lower.starts_with("http:") || lower.starts_with("https:") {
        return Err(
            "是网上的图片链接，jianbao 不去下载：请把图片另存到电脑上，再拖到页面上".into(),
        );
    }
    let Some(rest) = src.strip_prefix("data:") else {
        return Err("不是认得的图片来源".into());
    };
    let (meta, data) = rest.split_once(',').ok_or("图片数据不完整")?;
    if meta.ends_with(";base64") {
        let clean: String = data.chars().filter(|c| !c.is_whitespace()).collect();
        base64::engine::general_purpose::STANDARD
            .decode(clean.as_bytes())
            .map_err(|_| "图片数据不完整（base64 有误）".to_string())
    } else {
        Ok(percent_encoding::percent_decode_str(data).collect())
    }
}

fn first_title(issue: &crate::issue::Issue) -> String {
    issue
        .body
        .iter()
        .find_map(|b| match b {
            crate::issue::Block::Title { lines, .. } => {
                Some(lines.iter().map(|l| l.plain()).collect::<Vec<_>>().join(""))
            }
            _ => None,
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pictures_come_only_from_data_urls() {
        assert_eq!(data_url("data:image/png;base64,aGk=").unwrap(), b"hi");
        assert_eq!(data_url("data:image/svg+xml,%3Csvg%3E").unwrap(), b"<svg>");
        assert!(
            data_url("file:///C:/Users/a/image001.png")
                .unwrap_err()
                .contains("file:")
        );
        assert!(data_url("HTTPS://example.com/a.png").is_err());
        assert!(data_url("javascript:alert(1)").is_err());
    }

    #[test]
    fn segments_are_decoded_once_and_refused_when_odd() {
        assert_eq!(decode("2023%2F004").as_deref(), Some("2023/004"));
        assert_eq!(decode("..%2F..%2Fetc").as_deref(), Some("../../etc"));
        assert_eq!(decode("%FF"), None);
        assert_eq!(decode("a%0Ab"), None);
    }
}
