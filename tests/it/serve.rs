//! `jianbao serve`'s routes, as the clerk's page calls them: the real
//! binary on a copy of a publication, a real HTTP client on loopback
//! (ureq), and raw requests where a browser would never send what an
//! attacker would. What each answer must say comes from the publication
//! on disk (its bytes, its lines), never from the server's own code.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sha2::Digest;

use crate::common::*;
use crate::live::{Running, STEP, Served, body_of, edit, exchange, status_of};

/// A running `serve` and a client for it.
struct Page {
    _run: Running,
    served: Served,
    agent: ureq::Agent,
}

struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map_or("", |(_, v)| v.as_str())
    }

    /// A refusal: its status, and a message with a help in Chinese.
    fn refused(&self, status: u16) -> Value {
        assert_eq!(
            self.status,
            status,
            "{}",
            String::from_utf8_lossy(&self.body)
        );
        let error = self.json();
        assert!(
            error["error"]
                .as_str()
                .is_some_and(|e| e.chars().any(|c| c > '\u{2e80}')),
            "{error}"
        );
        assert!(error["help"].is_string(), "{error}");
        error
    }
}

impl Page {
    fn start(dir: &Path, args: &[&str]) -> Page {
        let run = Running::start(dir, args);
        let served = run.served();
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(STEP))
            .http_status_as_error(false)
            .max_redirects(0)
            .build()
            .into();
        Page {
            _run: run,
            served,
            agent,
        }
    }

    fn origin(&self) -> String {
        format!("http://{}", self.served.addr)
    }

    fn answer(response: ureq::http::Response<ureq::Body>) -> Answer {
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or_default().to_string()))
            .collect();
        let body = response
            .into_body()
            .into_with_config()
            .limit(64 * 1024 * 1024)
            .read_to_vec()
            .unwrap();
        Answer {
            status,
            headers,
            body,
        }
    }

    fn get(&self, path: &str) -> Answer {
        Self::answer(self.agent.get(self.served.url(path)).call().unwrap())
    }

    /// A write from the page: its own Origin.
    fn send(&self, method: &str, path: &str, body: &[u8]) -> Answer {
        self.send_as(method, path, body, Some(&self.origin()), &[])
    }

    fn send_as(
        &self,
        method: &str,
        path: &str,
        body: &[u8],
        origin: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let url = self.served.url(path);
        let mut request = match method {
            "PUT" => self.agent.put(&url),
            _ => self.agent.post(&url),
        };
        if let Some(origin) = origin {
            request = request.header("Origin", origin);
        }
        for (n, v) in headers {
            request = request.header(*n, *v);
        }
        Self::answer(request.send(body).unwrap())
    }

    fn json(&self, method: &str, path: &str, value: &Value) -> Answer {
        self.send(method, path, value.to_string().as_bytes())
    }

    fn issue(&self, key: &str) -> Value {
        let answer = self.get(&format!("api/issues/{key}"));
        assert_eq!(
            answer.status,
            200,
            "{}",
            String::from_utf8_lossy(&answer.body)
        );
        answer.json()
    }
}

fn sha256(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every file of a folder with its bytes, and every folder (what
/// "nothing was written" compares).
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let path = e.path();
            if path.is_dir() {
                // A folder made counts too (an empty out/).
                let rel = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(format!("{rel}/"), Vec::new());
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, std::fs::read(&path).unwrap_or_default());
            }
        }
    }
    out
}

/// The 1-based line and character column of `needle` in `text`.
fn line_col(text: &str, needle: &str) -> (u64, u64) {
    let at = text.find(needle).unwrap_or_else(|| panic!("no {needle:?}"));
    let line = text[..at].matches('\n').count() as u64 + 1;
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    (line, text[start..at].chars().count() as u64 + 1)
}

fn png_bytes(width: u32, height: u32, rgb: [u8; 3]) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(width, height, image::Rgb(rgb));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

#[test]
fn serve_reads_an_issue_and_never_writes_on_a_read() {
    let dir = copy_publication(&repo());
    let root = dir.path();
    let page = Page::start(root, &["serve", "4"]);
    let file = std::fs::read(root.join("issues/004.md")).unwrap();
    let text = String::from_utf8(file.clone()).unwrap();
    let before = snapshot(root);

    // The page and its headers.
    let shell = page.get("");
    assert_eq!(shell.status, 200);
    assert_eq!(shell.header("content-type"), "text/html; charset=utf-8");
    assert!(
        shell
            .header("content-security-policy")
            .starts_with("default-src 'self';")
    );
    assert!(
        shell
            .header("content-security-policy")
            .contains("frame-ancestors 'none'")
    );
    assert!(
        !shell
            .header("content-security-policy")
            .contains("unsafe-eval")
    );
    assert_eq!(shell.header("x-content-type-options"), "nosniff");
    assert_eq!(shell.header("referrer-policy"), "no-referrer");
    assert_eq!(shell.header("cache-control"), "no-store");
    page.get("assets/nothing-here.js").refused(404);
    let face = page.get("fonts/fangsong");
    assert_eq!(face.status, 200);
    assert!(face.body.starts_with(b"OTTO") && face.body.len() > 1_000_000);
    page.get("fonts/Arial").refused(404);

    // The publication: its issue, not built yet, and the defaults.
    let p = page.get("api/publication");
    assert_eq!(p.header("content-type"), "application/json; charset=utf-8");
    let p = p.json();
    assert_eq!(p["issues"][0]["key"], "004");
    assert_eq!(p["issues"][0]["label"], "第4期");
    assert_eq!(p["issues"][0]["date"], "2022-01-19");
    assert_eq!(p["issues"][0]["status"], "unbuilt");
    assert!(
        p["issues"][0]["title"]
            .as_str()
            .unwrap()
            .starts_with("郑州市教育局")
    );
    assert!(p["defaults"]["fa"].is_array(), "{p}");

    // The issue as on disk.
    let issue = page.issue("004");
    assert_eq!(issue["version"], sha256(&file));
    assert_eq!(issue["text"], text.as_str());
    assert_eq!(issue["path"], "issues/004.md");
    assert_eq!(issue["front"]["number"], 4);
    assert_eq!(issue["front"]["date"], "2022-01-19");
    assert_eq!(
        issue["front"]["distribution"]["fa"][0],
        "局直属学校（单位）党组织"
    );
    let (body_line, _) = line_col(&text, "^ 聚焦");
    assert_eq!(issue["body_line"], body_line);
    assert!(issue["body"].as_str().unwrap().starts_with("^ 聚焦"));
    assert_eq!(issue["diagnostics"], json!([]));
    assert_eq!(issue["fixes"], 0);
    assert!(issue["build_problem"].is_null());
    let pages = issue["pages"].as_array().unwrap().len();
    assert!(pages >= 4, "{}", issue["pages"]);

    // Its pages, SVG and PNG (A4 at 150 ppi: 1240 pixels wide).
    let svg = page.get("pages/004/1.svg?v=3");
    assert_eq!(svg.header("content-type"), "image/svg+xml");
    assert!(
        svg.header("content-security-policy")
            .starts_with("default-src 'none'")
    );
    assert!(
        svg.body.starts_with(b"<svg") && !String::from_utf8_lossy(&svg.body).contains("<script")
    );
    page.get(&format!("pages/004/{}.svg", pages + 1))
        .refused(404);
    page.get("pages/004/0.svg").refused(404);
    let png = page.get("pages/004/1.png");
    assert_eq!(png.header("content-type"), "image/png");
    assert_eq!(&png.body[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(
        u32::from_be_bytes(png.body[16..20].try_into().unwrap()),
        1240
    );

    // Downloads, built now.
    let pdf = page.get("download/004.pdf");
    assert_eq!(pdf.status, 200);
    assert_eq!(pdf.header("content-type"), "application/pdf");
    assert_eq!(
        pdf.header("content-disposition"),
        "attachment; filename*=UTF-8''004.pdf"
    );
    assert!(pdf.body.starts_with(b"%PDF-"));
    assert!(pdf_text(&pdf.body).join("").contains("亮出重槌敲响鼓"));
    let docx = page.get("download/004.docx");
    assert_eq!(docx.status, 200);
    assert!(docx.header("content-disposition").ends_with("004.docx"));
    assert!(docx.body.starts_with(b"PK"));
    page.get("download/004.odt").refused(404);

    // No token, a wrong one, a wrong host: nothing.
    for path in [
        "/api/publication",
        "/00000000000000000000000000000000/api/publication",
        "/",
    ] {
        let answer = crate::live::get(&page.served.addr, path);
        assert_eq!(status_of(&answer), 403, "{answer}");
        assert!(!body_of(&answer).contains("issues"), "{answer}");
    }
    let token = &page.served.token;
    let addr = &page.served.addr;
    for host in [
        "evil.example",
        "127.0.0.1",
        "127.0.0.1:1",
        "localhost.evil:80",
    ] {
        let answer = exchange(
            addr,
            &format!(
                "GET /{token}/api/issues/004 HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
            ),
        );
        assert_eq!(status_of(&answer), 421, "{host}: {answer}");
        assert!(!body_of(&answer).contains("number"), "{answer}");
    }
    // Asked for by another site's page.
    let answer = exchange(
        addr,
        &format!(
            "GET /{token}/api/issues/004 HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://evil.example\r\nConnection: close\r\n\r\n"
        ),
    );
    assert_eq!(status_of(&answer), 403, "{answer}");

    // Paths that try to leave the publication name nothing.
    for path in [
        "api/issues/..%2F..%2Fjianbao.toml",
        "api/issues/..%2Fjianbao",
        "api/issues/%2Fetc%2Fpasswd",
        "pages/..%2Fjianbao.toml/1.svg",
        "download/..%2F..%2Fjianbao.toml.pdf",
        "assets/..%2F..%2FCargo.toml",
        "assets/../../Cargo.toml",
        "fonts/..%2F..%2Ffonts%2Fcwfs.ttf",
    ] {
        let answer = page.get(path);
        assert!(
            matches!(answer.status, 400 | 404),
            "{path}: {}",
            answer.status
        );
        answer.refused(answer.status);
    }
    let raw = exchange(
        addr,
        &format!(
            "GET /{token}/api/issues/%FF HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        ),
    );
    assert_eq!(status_of(&raw), 400, "{raw}");

    // Methods a route does not take.
    let answer = exchange(
        addr,
        &format!(
            "DELETE /{token}/api/issues/004 HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        ),
    );
    assert_eq!(status_of(&answer), 405, "{answer}");
    page.send("POST", "pages/004/1.svg", b"{}").refused(405);

    // Not one byte of the publication changed, and no out/ was made.
    let after = snapshot(root);
    let changed: Vec<&String> = before
        .keys()
        .chain(after.keys())
        .filter(|k| before.get(*k) != after.get(*k))
        .collect();
    assert!(changed.is_empty(), "written by reads: {changed:?}");
}

#[test]
fn serve_writes_an_issue_atomically_and_never_over_a_change_on_disk() {
    let dir = copy_publication(&repo());
    let root = dir.path();
    let page = Page::start(root, &["serve"]);
    let path = root.join("issues/004.md");
    let first = page.issue("004");
    let text = first["text"].as_str().unwrap().to_string();
    let body = first["body"].as_str().unwrap().to_string();
    let front_bytes = &text[..text.len() - body.len()];

    // The event stream, to hear the builds and a change on disk.
    let streaming: ureq::Agent = ureq::Agent::config_builder()
        .timeout_per_read(Some(STEP))
        .timeout_connect(Some(STEP))
        .build()
        .into();
    let stream = streaming.get(page.served.url("api/events")).call().unwrap();
    assert!(
        stream
            .headers()
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let mut events = BufReader::new(stream.into_body().into_reader());

    // Writes need the page's Origin.
    let edit_body = body.replacen("郑州市教育局在", "郑州市教育局,在", 1);
    let put = json!({"base": first["version"], "body": edit_body});
    page.send_as(
        "PUT",
        "api/issues/004",
        put.to_string().as_bytes(),
        None,
        &[],
    )
    .refused(403);
    page.send_as(
        "PUT",
        "api/issues/004",
        put.to_string().as_bytes(),
        Some("http://evil.example"),
        &[],
    )
    .refused(403);
    page.send_as(
        "PUT",
        "api/issues/004",
        put.to_string().as_bytes(),
        Some("null"),
        &[],
    )
    .refused(403);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    page.send("PUT", "api/issues/004", b"{\"base\": 1}")
        .refused(400);

    // A one-character edit of the body: the front matter byte for byte,
    // the file replaced whole (a new inode, no temporary left), page 1
    // redrawn, the problem at its place.
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(&path).unwrap());
    let saved = page.json("PUT", "api/issues/004", &put);
    assert_eq!(
        saved.status,
        200,
        "{}",
        String::from_utf8_lossy(&saved.body)
    );
    let saved = saved.json();
    let on_disk = std::fs::read_to_string(&path).unwrap();
    assert_eq!(on_disk, format!("{front_bytes}{edit_body}"));
    assert_eq!(saved["version"], sha256(on_disk.as_bytes()));
    #[cfg(unix)]
    assert_ne!(
        std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(&path).unwrap()),
        inode
    );
    let names: Vec<String> = std::fs::read_dir(root.join("issues"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["004.md"]);
    assert_ne!(saved["pages"][0], first["pages"][0]);
    assert_eq!(
        saved["pages"].as_array().unwrap().len(),
        first["pages"].as_array().unwrap().len()
    );
    let (line, column) = line_col(&on_disk, ",在");
    let comma = saved["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "half-width-punctuation")
        .unwrap_or_else(|| panic!("{}", saved["diagnostics"]));
    assert_eq!(
        (comma["line"].as_u64(), comma["column"].as_u64()),
        (Some(line), Some(column))
    );
    assert_eq!(
        (comma["end_line"].as_u64(), comma["end_column"].as_u64()),
        (Some(line), Some(column + 1))
    );
    assert!(comma["field"].is_null());
    assert_eq!(saved["fixes"], 1);
    let built = next_event(&mut events, "built");
    assert_eq!(built["key"], "004");

    // The page's base is old: 409 with what is on disk; nothing written.
    let stale = page.json(
        "PUT",
        "api/issues/004",
        &json!({"base": first["version"], "body": "覆盖"}),
    );
    assert_eq!(stale.status, 409);
    let stale = stale.json();
    assert_eq!(stale["conflict"], true);
    assert_eq!(stale["disk_text"], on_disk.as_str());
    assert_eq!(stale["disk_version"], saved["version"]);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), on_disk);

    // What `check --fix` does, in one click.
    let fixed = page.json(
        "POST",
        "api/issues/004/fix",
        &json!({"base": saved["version"]}),
    );
    assert_eq!(fixed.status, 200);
    let fixed = fixed.json();
    assert_eq!(fixed["fixes"], 0);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        on_disk.replacen("郑州市教育局,在", "郑州市教育局，在", 1)
    );
    page.json(
        "POST",
        "api/issues/004/fix",
        &json!({"base": saved["version"]}),
    )
    .json()["conflict"]
        .as_bool()
        .expect("a stale fix is a conflict");

    // A change on disk is told to the page, then built.
    edit(&path, "郑州市教育局，在", "郑州市教育局于");
    let changed = next_event(&mut events, "changed");
    assert_eq!(changed["key"], "004");
    assert_eq!(changed["version"], sha256(&std::fs::read(&path).unwrap()));
    next_event(&mut events, "built");
    let after = page.issue("004");
    assert_eq!(after["version"], changed["version"]);

    // A picture saved in images/ by another program: the open issue is
    // built again (it may show it).
    std::fs::create_dir_all(root.join("images")).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    std::fs::write(root.join("images/新图.png"), png_bytes(4, 4, [1, 2, 3])).unwrap();
    assert_eq!(next_event(&mut events, "built")["key"], "004");

    // The front matter from the form: its keys set or removed, the keys
    // it does not show (mark) kept, the body byte for byte.
    edit(
        &path,
        "date = 2022-01-19",
        "date = 2022-01-19\nmark = \"内部资料\"",
    );
    let now = wait_for_version(&page, &sha256(&std::fs::read(&path).unwrap()));
    let form = json!({
        "number": 4, "date": "2022-01-20", "copies": 120, "classification": "内部",
        "distribution": {"bao": ["市委办公室"], "fa": ["各县区"]},
    });
    let put = json!({"base": now["version"], "front": form, "body": now["body"]});
    let written = page.json("PUT", "api/issues/004", &put);
    assert_eq!(
        written.status,
        200,
        "{}",
        String::from_utf8_lossy(&written.body)
    );
    let written = written.json();
    assert_eq!(written["front"]["date"], "2022-01-20");
    assert_eq!(written["front"]["copies"], 120);
    assert_eq!(written["front"]["mark"], "内部资料");
    assert_eq!(
        written["front"]["distribution"],
        json!({"bao": ["市委办公室"], "fa": ["各县区"]})
    );
    assert_eq!(written["body"], now["body"]);
    assert!(
        written["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["severity"] != "error"),
        "{}",
        written["diagnostics"]
    );
    let pdf_text_now = pdf_text(&page.get("download/004.pdf").body).join("");
    assert!(pdf_text_now.contains("市委办公室"), "{pdf_text_now}");

    // A bad date from the form: refused at its field, never written.
    let put = json!({"base": written["version"], "front": {"number": 4, "date": "2022-02-30"}, "body": written["body"]});
    let refused = page.json("PUT", "api/issues/004", &put).refused(422);
    assert_eq!(refused["field"], "date", "{refused}");
    assert_eq!(
        sha256(&std::fs::read(&path).unwrap()),
        written["version"].as_str().unwrap()
    );
    // Written in an editor: the problem at its field, the pages the last
    // good ones.
    let edited: String = written["text"]
        .as_str()
        .unwrap()
        .split_inclusive('\n')
        .map(|l| {
            if l.starts_with("date = ") {
                "date = \"2022-02-30\"\n"
            } else {
                l
            }
        })
        .collect();
    assert_ne!(edited, written["text"].as_str().unwrap());
    std::fs::write(&path, &edited).unwrap();
    wait_for_version(&page, &sha256(edited.as_bytes()));
    // The server has read it (and built it) when its pages are new.
    let start = Instant::now();
    let bad = loop {
        let issue = page.issue("004");
        if issue["page_version"].as_u64() > written["page_version"].as_u64() {
            break issue;
        }
        assert!(start.elapsed() < STEP, "{issue}");
        std::thread::sleep(Duration::from_millis(50));
    };
    let date = bad["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["severity"] == "error")
        .unwrap_or_else(|| panic!("{bad}"));
    assert_eq!(date["field"], "date", "{date}");
    assert!(bad["build_problem"].is_string());
    assert_eq!(bad["pages"], written["pages"]);
    assert!(bad["page_version"].as_u64() > written["page_version"].as_u64());
    page.get("download/004.pdf").refused(422);

    // A new issue, as `jianbao new` writes it.
    let new = page.json("POST", "api/issues", &json!({}));
    assert_eq!(new.status, 201);
    assert_eq!(new.json(), json!({"key": "005"}));
    let made = std::fs::read_to_string(root.join("issues/005.md")).unwrap();
    assert!(made.starts_with("+++\nnumber = 5\n"), "{made}");

    // Everything built into out/, as `jianbao build` does; 004 has an
    // error now.
    let all = page.json("POST", "api/build-all", &json!({}));
    assert_eq!(all.status, 200);
    let all = all.json();
    assert_eq!(all["built"], 1, "{all}");
    assert_eq!(all["failed"][0]["key"], "004", "{all}");
    assert!(root.join("out/005.pdf").is_file());
    // Where they went, for the clerk's file manager.
    let folder = std::path::PathBuf::from(all["folder"].as_str().unwrap());
    assert!(folder.join("005.pdf").is_file(), "{all}");
    // A file that does not parse is still 第N期 in the list.
    std::fs::write(
        root.join("issues/007.md"),
        "+++
number = 
+++
",
    )
    .unwrap();
    let listed_as = |key: &str| {
        page.get("api/publication").json()["issues"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["key"] == key)
            .map(|i| i["label"].clone())
    };
    let start = Instant::now();
    while listed_as("007").is_none() && start.elapsed() < STEP {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(listed_as("007"), Some(json!("第7期")));
    std::fs::remove_file(root.join("issues/007.md")).unwrap();
    while listed_as("007").is_some() && start.elapsed() < STEP * 2 {
        std::thread::sleep(Duration::from_millis(50));
    }
    let listed = page.get("api/publication").json();
    let status: Vec<(&str, &str)> = listed["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["key"].as_str().unwrap(), i["status"].as_str().unwrap()))
        .collect();
    assert_eq!(status, vec![("004", "problems"), ("005", "current")]);
}

#[test]
fn serve_saves_pictures_by_their_bytes_and_turns_a_clipboard_into_lines() {
    let dir = copy_publication(&repo());
    let root = dir.path();
    let page = Page::start(root, &["serve"]);
    let images = root.join("images");

    // Not a picture, whatever its name says.
    let upload = |bytes: &[u8], name: &str| {
        page.send_as(
            "POST",
            "api/issues/004/pictures",
            bytes,
            Some(&page.origin()),
            &[("X-File-Name", name)],
        )
    };
    let refused = upload(b"<html><script>alert(1)</script></html>", "photo.png").refused(415);
    assert!(
        refused["error"].as_str().unwrap().contains("不是"),
        "{refused}"
    );
    upload(b"GIF89a\x01\x00\x01\x00", "a.gif").refused(415);
    assert!(!images.exists() || std::fs::read_dir(&images).unwrap().count() == 0);
    // A picture: a safe name, never out of images/.
    let red = png_bytes(40, 30, [200, 0, 0]);
    let saved = upload(
        &red,
        "..%2F..%2F%E4%BC%9A%E8%AE%AE%20%E7%85%A7%E7%89%87.PNG",
    );
    assert_eq!(
        saved.status,
        201,
        "{}",
        String::from_utf8_lossy(&saved.body)
    );
    let saved = saved.json();
    assert_eq!(
        saved,
        json!({"path": "images/会议-照片.png", "line": "![会议-照片](images/会议-照片.png)"})
    );
    assert_eq!(std::fs::read(images.join("会议-照片.png")).unwrap(), red);
    // The same bytes again: the same file.
    assert_eq!(
        upload(&red, "again.png").json()["path"],
        "images/会议-照片.png"
    );
    // Other bytes under the same name: never over it.
    let blue = png_bytes(40, 30, [0, 0, 200]);
    assert_eq!(
        upload(&blue, "会议 照片.png").json()["path"],
        "images/会议-照片-2.png"
    );
    assert_eq!(std::fs::read(images.join("会议-照片.png")).unwrap(), red);
    upload(&red, "x.png");
    let written: Vec<_> = std::fs::read_dir(&images).unwrap().collect();
    assert_eq!(written.len(), 2);
    let no_such = page.send_as(
        "POST",
        "api/issues/999/pictures",
        &red,
        Some(&page.origin()),
        &[],
    );
    no_such.refused(404);

    // A clipboard from Word: a title, a numbered heading, bold, a table
    // with merged cells, a picture inside it and one only linked.
    use base64::Engine as _;
    let green = png_bytes(30, 20, [0, 160, 0]);
    let data = format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(&green)
    );
    let run = |text: &str, bold: bool| json!({"text": text, "bold": bold});
    let cell = |text: &str, colspan: u32, rowspan: u32, header: bool| json!({"runs": [run(text, false)], "colspan": colspan, "rowspan": rowspan, "header": header});
    let blocks = json!([
        {"kind": "para", "runs": [run("全市教育系统召开工作会议", false)], "heading": 1, "center": true, "list": null},
        {"kind": "para", "runs": [run("会议指出,", false), run("要抓好落实", true), run("。", false)], "heading": 0, "center": false, "list": null},
        {"kind": "para", "runs": [run("明确工作重点", false)], "heading": 0, "center": false, "list": "一、"},
        {"kind": "para", "runs": [run("各地要认真贯彻落实。", false)], "heading": 0, "center": false, "list": null},
        {"kind": "para", "runs": [run("表1　各地完成情况", false)], "heading": 0, "center": true, "list": null},
        {"kind": "table", "rows": [
            [cell("地区", 1, 2, true), cell("数量", 2, 1, true)],
            [cell("上半年", 1, 1, true), cell("下半年", 1, 1, true)],
            [cell("郑州", 1, 1, false), cell("10", 1, 1, false), cell("20", 1, 1, false)],
        ]},
        {"kind": "picture", "src": data, "alt": "", "width_px": 300},
        {"kind": "picture", "src": "file:///C:/Users/a/AppData/Local/Temp/msohtmlclip1/01/clip_image002.png", "alt": "", "width_px": null},
    ]);
    let pasted = page.json(
        "POST",
        "api/paste",
        &json!({"key": "004", "blocks": blocks}),
    );
    assert_eq!(
        pasted.status,
        200,
        "{}",
        String::from_utf8_lossy(&pasted.body)
    );
    let pasted = pasted.json();
    let text = pasted["text"].as_str().unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.contains(&"# 全市教育系统召开工作会议"), "{text}");
    // Bold kept, the half-width comma cleaned as `check --fix` cleans.
    assert!(lines.contains(&"会议指出，**要抓好落实**。"), "{text}");
    assert!(lines.contains(&"一、明确工作重点"), "{text}");
    assert!(lines.contains(&"表1　各地完成情况"), "{text}");
    assert_in_order(
        text,
        &[
            "| 地区 | 数量 | < |",
            "| ^ | 上半年 | 下半年 |",
            "| 郑州 | 10 | 20 |",
        ],
    );
    let picture = lines
        .iter()
        .find(|l| l.starts_with("!["))
        .unwrap_or_else(|| panic!("{text}"));
    let rel = picture
        .split_once("](")
        .unwrap()
        .1
        .split(')')
        .next()
        .unwrap();
    assert_eq!(std::fs::read(root.join(rel)).unwrap(), green);
    assert!(picture.ends_with("{width=51%}"), "{picture}");
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("![")).count(),
        1,
        "{text}"
    );
    let notes = pasted["notes"].as_array().unwrap();
    assert!(
        notes.iter().any(|n| n.as_str().unwrap().contains("file:")),
        "{notes:?}"
    );
    // Nothing was written to the issue itself.
    assert_eq!(
        std::fs::read(root.join("issues/004.md")).unwrap(),
        std::fs::read(repo().join("issues/004.md")).unwrap()
    );
    // The lines build: put into the issue, the pages have the table.
    let issue = page.issue("004");
    let body = format!("{}\n{text}", issue["body"].as_str().unwrap());
    let saved = page
        .json(
            "PUT",
            "api/issues/004",
            &json!({"base": issue["version"], "body": body}),
        )
        .json();
    assert!(
        saved["build_problem"].is_null(),
        "{}",
        saved["build_problem"]
    );
    assert!(
        saved["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["severity"] != "error"),
        "{}",
        saved["diagnostics"]
    );
    page.json(
        "POST",
        "api/paste",
        &json!({"key": "004", "blocks": [{"kind": "table"}]}),
    )
    .refused(400);
}

/// The data of the next event called `name` (others are passed over).
fn next_event(events: &mut impl BufRead, name: &str) -> Value {
    let mut line = String::new();
    let mut current = String::new();
    loop {
        line.clear();
        let n = events.read_line(&mut line).expect("the event stream");
        assert!(n > 0, "the event stream ended");
        if let Some(event) = line.trim_end().strip_prefix("event: ") {
            current = event.to_string();
        } else if let Some(data) = line.trim_end().strip_prefix("data: ")
            && current == name
        {
            return serde_json::from_str(data).unwrap();
        }
    }
}

/// The issue once the server has read `version` of it from disk.
fn wait_for_version(page: &Page, version: &str) -> Value {
    let start = Instant::now();
    loop {
        let issue = page.issue("004");
        if issue["version"] == version {
            return issue;
        }
        assert!(start.elapsed() < STEP, "{}", issue["version"]);
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A clipboard's blocks (the page's PasteBlocks) as the server turns them
/// into body lines: the lines and the notes.
fn paste_blocks(blocks: Value) -> (Vec<String>, Vec<String>) {
    let dir = copy_publication(&repo());
    let page = Page::start(dir.path(), &["serve"]);
    let pasted = page.json(
        "POST",
        "api/paste",
        &json!({"key": "004", "blocks": blocks}),
    );
    assert_eq!(
        pasted.status,
        200,
        "{}",
        String::from_utf8_lossy(&pasted.body)
    );
    let pasted = pasted.json();
    let lines = pasted["text"]
        .as_str()
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    // Each note with the line it is about: `3：…`.
    let notes = pasted["notes"]
        .as_array()
        .unwrap()
        .iter()
        .zip(pasted["note_lines"].as_array().unwrap())
        .map(|(n, line)| match line.as_u64() {
            Some(line) => format!("{line}：{}", n.as_str().unwrap()),
            None => n.as_str().unwrap().to_string(),
        })
        .collect();
    (lines, notes)
}

fn para(text: &str, bold: bool, center: bool) -> Value {
    json!({"kind": "para", "runs": [{"text": text, "bold": bold}], "heading": 0, "center": center, "list": null})
}

/// The page-proof review's `probe-l-join2.html` (Word, every paragraph a
/// `<p>`), and its 通报 whose centred title was glued to the 主送 line:
/// real paragraphs stay apart; only lines that look hard-wrapped (a
/// sentence broken off on a character, the next lines as wide) are joined.
#[test]
fn serve_paste_keeps_paragraphs_apart_and_joins_only_wrapped_lines() {
    let (lines, notes) = paste_blocks(json!([
        para("坚持党建引领推动基层治理体系和治理能力现代化", true, false),
        para(
            "今年以来，我县坚持以党建引领基层治理，取得明显成效。",
            false,
            false
        ),
        para("县委书记张某某在城关镇调研基层治理工作情况", false, true),
        para("调研中，张某某强调，要持续推进网格化管理。", false, false),
        para("关于2026年第三季度全市政务信息报送情况的通报", false, false),
        para("各县（区）政府办公室，市政府各部门：", false, false),
        para(
            "图为12月3日青川县开展森林防火应急演练活动现场",
            false,
            false
        ),
        para("下一步，全县将持续做好森林防火工作。", false, false),
        // Copied from a PDF: three lines of one width, then the last.
        para(
            "今年一季度，全县未发生较大以上生产安全事故，安全生",
            false,
            false
        ),
        para(
            "产形势总体平稳，各项工作有序推进，为全年工作打下了",
            false,
            false
        ),
        para("良好基础。", false, false),
    ]));
    for expected in [
        "**坚持党建引领推动基层治理体系和治理能力现代化**",
        "今年以来，我县坚持以党建引领基层治理，取得明显成效。",
        "县委书记张某某在城关镇调研基层治理工作情况",
        "调研中，张某某强调，要持续推进网格化管理。",
        "关于2026年第三季度全市政务信息报送情况的通报",
        "各县（区）政府办公室，市政府各部门：",
        "图为12月3日青川县开展森林防火应急演练活动现场",
        "今年一季度，全县未发生较大以上生产安全事故，安全生产形势总体平稳，各项工作有序推进，为全年工作打下了良好基础。",
    ] {
        assert!(
            lines.iter().any(|l| l == expected),
            "{expected}\n{lines:#?}"
        );
    }
    let joins: Vec<_> = notes.iter().filter(|n| n.contains("接成")).collect();
    assert_eq!(joins.len(), 1, "{notes:?}");
    // Said at the joined line of the editor (the 9th), not at a paragraph.
    assert!(joins[0].starts_with("9："), "{joins:?}");
}

/// The page-proof review's web article and Word lists (F15, F17, F18): a
/// web page's 来源/打印, 分享到 and 责任编辑 lines and a WeChat section
/// number come with a note at their line; a 合计 row bold all through is
/// plain, as a whole; `1)` numbering is said.
#[test]
fn serve_paste_says_web_chrome_and_odd_numbers_and_unbolds_a_bold_row() {
    let cell = |text: &str, bold: bool| json!({"runs": [{"text": text, "bold": bold}], "colspan": 1, "rowspan": 1, "header": false});
    let (lines, notes) = paste_blocks(json!([
        para("我市数字政府建设取得阶段性成效", false, false),
        para("来源：市大数据局　发布时间：2026-12-01 09:30　【打印】", false, false),
        para("近日，我市数字政府建设评估位列全省第一。", false, false),
        para("01", true, true),
        {"kind": "para", "runs": [{"text": "组织应急演练。", "bold": false}], "heading": 0, "center": false, "list": "1)"},
        {"kind": "table", "rows": [
            [cell("乡镇", false), cell("企业", false)],
            [cell("乔庄镇", false), cell("526", false)],
            [cell("合计", true), cell("1,286", true)],
        ]},
        para("分享到：微信微博", false, false),
        para("（责任编辑：王晓）", false, false),
    ]));
    assert!(lines.iter().any(|l| l == "| 合计 | 1,286 |"), "{lines:#?}");
    let noted = |needle: &str| {
        let at = lines.iter().position(|l| l.contains(needle)).unwrap() + 1;
        notes.iter().any(|n| {
            n.starts_with(&format!("{at}：")) && (n.contains("网页") || n.contains("序号"))
        })
    };
    for needle in ["【打印】", "分享到", "责任编辑", "01", "1）组织应急演练"] {
        assert!(noted(needle), "{needle}: {lines:#?} {notes:?}");
    }
    assert_eq!(
        notes.iter().filter(|n| n.contains("网页上的来源")).count(),
        4,
        "{notes:?}"
    );
    assert_eq!(
        notes.iter().filter(|n| n.contains("1）")).count(),
        1,
        "{notes:?}"
    );
}

/// Word 2016's real clipboards (review word-real): every number Word's
/// list shows is kept as text and only bullet glyphs go; a line break in a
/// paragraph joins as import joins one; a cell's paragraphs keep their
/// numbers; a lone no-break space is a space; a layout table of merges
/// alone is no table; Safari's `blob:` picture gets the drag advice.
#[test]
fn serve_paste_keeps_word_numbers_cells_and_breaks_and_says_pictures() {
    let item = |list: &str, text: &str| json!({"kind": "para", "runs": [{"text": text, "bold": false}], "heading": 0, "center": false, "list": list});
    let cell = |paras: Value, colspan: usize| json!({"paras": paras, "runs": [], "colspan": colspan, "rowspan": 1, "header": false});
    let empty =
        |colspan: usize| json!({"runs": [], "colspan": colspan, "rowspan": 1, "header": false});
    let (lines, notes) = paste_blocks(json!([
        item("a.", "检查危险化学品企业"),
        item("i.", "核查储存场所"),
        item("(a)", "整改落实"),
        item("甲、", "强化督导检查"),
        item("１．", "加强组织领导"),
        item("·", "节前检查"),
        item("•", "节后复查"),
        item("§", "随机抽查"),
        item("\u{F0A7}", "定期回访"),
        {"kind": "para", "runs": [{"text": "全县共检查企业326家，\n发现隐患1,024处。Long link\nWITH spaces", "bold": false}], "heading": 0, "center": false, "list": null},
        para("联系人：张三\u{A0}|\u{A0}李四", false, false),
        {"kind": "table", "rows": [
            [cell(json!([{"runs": [{"text": "事项", "bold": false}]}]), 1), cell(json!([{"runs": [{"text": "要求", "bold": false}]}]), 1)],
            [
                cell(json!([{"runs": [{"text": "安全生产检查", "bold": false}]}, {"runs": [{"text": "隐患排查", "bold": false}]}]), 1),
                cell(json!([{"runs": [{"text": "全面排查", "bold": false}], "list": "1."}, {"runs": [{"text": "限期整改", "bold": false}], "list": "2."}]), 1),
            ],
        ]},
        {"kind": "table", "rows": [
            [empty(1), empty(1), empty(1), empty(1)],
            [empty(1), empty(3)],
            [empty(1), empty(2), empty(1)],
        ]},
        {"kind": "picture", "src": "blob:http://localhost:9876/4a1b2c3d-0000-4000-8000-000000000000", "alt": "", "width_px": 300},
    ]));
    for expected in [
        "a.检查危险化学品企业",
        "i.核查储存场所",
        "（a）整改落实",
        "甲、强化督导检查",
        "节前检查",
        "节后复查",
        "随机抽查",
        "定期回访",
        "全县共检查企业326家，发现隐患1,024处。Long link WITH spaces",
        "| 安全生产检查隐患排查 | 1.全面排查2.限期整改 |",
    ] {
        assert!(
            lines.iter().any(|l| l == expected),
            "{expected}\n{lines:#?}"
        );
    }
    assert!(
        lines
            .iter()
            .any(|l| l.ends_with("加强组织领导") && l.len() > "加强组织领导".len()),
        "{lines:#?}"
    );
    let text = lines.join("\n");
    assert!(!text.contains('\u{A0}'), "{text:?}");
    assert!(
        text.contains("张三 | 李四") || text.contains("张三|李四"),
        "{text}"
    );
    assert!(!lines.iter().any(|l| l.contains("| < |")), "{text}");
    assert!(notes.iter().any(|n| n.contains("空表格")), "{notes:?}");
    assert!(
        notes
            .iter()
            .any(|n| n.contains("blob:") && n.contains("拖到页面上")),
        "{notes:?}"
    );
}

/// A web subheading without a number that comes twice (Word's résumé
/// template, review word-real) is said at each of its own lines.
#[test]
fn serve_paste_says_a_repeated_subheading_at_each_line() {
    let h2 = |text: &str| json!({"kind": "para", "runs": [{"text": text, "bold": false}], "heading": 2, "center": false, "list": null});
    let (lines, notes) = paste_blocks(json!([
        h2("工作安排"),
        para("一季度开展排查。", false, false),
        h2("工作安排"),
        para("二季度开展整改。", false, false),
    ]));
    let at: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.contains("工作安排"))
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(at.len(), 2, "{lines:#?}");
    for line in at {
        assert!(
            notes
                .iter()
                .any(|n| n.starts_with(&format!("{line}：")) && n.contains("没有编号")),
            "{line}: {notes:?}"
        );
    }
}

/// A colleague saves the file again and again while the clerk types: every
/// answer to a save is about the bytes that save wrote (its version, its
/// text), never the colleague's that landed since, so the page never takes
/// the colleague's version for its own and never saves over it unseen; the
/// colleague's change reaches it as a conflict (409) instead.
#[test]
fn serve_never_answers_a_save_with_a_colleagues_later_version() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};

    let dir = copy_publication(&repo());
    let root = dir.path().to_path_buf();
    let page = Page::start(&root, &["serve"]);
    let path = root.join("issues/004.md");
    let first = page.issue("004");
    // The line that starts with `counter` now says `n`.
    fn count_to(text: &str, counter: &str, n: u64) -> String {
        let at = text.find(counter).unwrap() + counter.len();
        let end = at + text[at..].find('次').unwrap();
        format!("{}{n}{}", &text[..at], &text[end..])
    }
    let front_of = |state: &Value| {
        let text = state["text"].as_str().unwrap();
        text[..text.len() - state["body"].as_str().unwrap().len()].to_string()
    };
    // Two lines of the body: one the colleague counts up, one the clerk.
    let body = format!(
        "{}\n同事改的第0次。\n\n页面改的第0次。\n",
        first["body"].as_str().unwrap().trim_end()
    );
    let put = json!({"base": first["version"], "body": body});
    let answer = page.json("PUT", "api/issues/004", &put);
    assert_eq!(answer.status, 200);
    let mut state = answer.json();

    // The colleague: reads the file, counts its line up, saves (its own
    // temporary file and a rename, as editors do), and keeps every version
    // it wrote.
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(Mutex::new(Vec::<String>::new()));
    let colleague = {
        let (stop, written, path) = (stop.clone(), written.clone(), path.clone());
        std::thread::spawn(move || {
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue;
                };
                n += 1;
                let new = count_to(&text, "同事改的第", n);
                let temp = path.with_extension("colleague");
                std::fs::write(&temp, &new).unwrap();
                std::fs::rename(&temp, &path).unwrap();
                written.lock().unwrap().push(sha256(new.as_bytes()));
                // Now at once, now after a while: saves land inside
                // the clerk's saves and between them.
                std::thread::sleep(Duration::from_millis(10 + (n * 97) % 400));
            }
        })
    };

    let (mut saved, mut conflicts) = (0, 0);
    for m in 1..=30u64 {
        // The clerk's keystroke on the text the page holds.
        let body = count_to(state["body"].as_str().unwrap(), "页面改的第", m);
        let put = json!({"base": state["version"], "body": body});
        let answer = page.json("PUT", "api/issues/004", &put);
        match answer.status {
            200 => {
                let answered = answer.json();
                let wrote = format!("{}{body}", front_of(&state));
                assert_eq!(answered["text"].as_str().unwrap(), wrote, "save {m}");
                assert_eq!(answered["version"], sha256(wrote.as_bytes()), "save {m}");
                assert!(
                    !written.lock().unwrap().contains(&sha256(wrote.as_bytes())),
                    "save {m} answered a version the colleague wrote"
                );
                state = answered;
                saved += 1;
            }
            409 => {
                // The clerk sees both and keeps hers on the colleague's
                // text: her line onto the disk's, on the disk's version.
                let disk = answer.json();
                let disk_text = disk["disk_text"].as_str().unwrap();
                assert_eq!(disk["disk_version"], sha256(disk_text.as_bytes()));
                let front_len = front_of(&state).len();
                state = json!({
                    "version": disk["disk_version"],
                    "text": disk_text,
                    "body": &disk_text[front_len..],
                });
                conflicts += 1;
            }
            other => panic!(
                "save {m}: {other} {}",
                String::from_utf8_lossy(&answer.body)
            ),
        }
    }
    stop.store(true, Ordering::Relaxed);
    colleague.join().unwrap();
    eprintln!("{saved} saved, {conflicts} conflicts");
    assert!(saved > 0, "{saved} saved, {conflicts} conflicts");
}

/// An issue file that is a link out of the publication is never read for
/// the page (its target may be any file of the user's), as the build and
/// a save refuse it.
#[cfg(unix)]
#[test]
fn serve_never_reads_an_issue_linked_out_of_the_publication() {
    let dir = copy_publication(&repo());
    let root = dir.path();
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.md");
    std::fs::write(&secret, "+++\nnumber = 5\n+++\n外面的秘密SECRET\n").unwrap();
    std::os::unix::fs::symlink(&secret, root.join("issues/005.md")).unwrap();
    let page = Page::start(root, &["serve"]);
    let list = page.get("api/publication").json();
    assert!(
        list["issues"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["key"] == "005")
    );
    let read = page.get("api/issues/005");
    read.refused(403);
    assert!(!String::from_utf8_lossy(&read.body).contains("SECRET"));
    let put = json!({"base": sha256(&std::fs::read(&secret).unwrap()), "body": "改了\n"});
    let write = page.json("PUT", "api/issues/005", &put);
    write.refused(403);
    assert!(!String::from_utf8_lossy(&write.body).contains("SECRET"));
    assert_eq!(
        std::fs::read_to_string(&secret).unwrap(),
        "+++\nnumber = 5\n+++\n外面的秘密SECRET\n"
    );
}

/// A form value with a line break (a `+++` line above all) is refused at
/// its field in plain words, the file untouched; a wrong date is never
/// written; 第3期 in 期号 is the number 3.
#[test]
fn serve_refuses_a_form_value_that_would_break_the_file() {
    let dir = copy_publication(&repo());
    let root = dir.path();
    let page = Page::start(root, &["serve"]);
    let path = root.join("issues/004.md");
    let first = page.issue("004");
    let before = std::fs::read(&path).unwrap();
    let with = |key: &str, value: Value| {
        let mut front = first["front"].as_object().unwrap().clone();
        front.insert(key.into(), value);
        json!({"base": first["version"], "front": front, "body": first["body"]})
    };
    for (key, value, words) in [
        ("serial", json!("县办\n+++\n# 伪造的标题\n"), "编号"),
        ("classification", json!("秘密\u{7}"), "密级"),
        ("date", json!("82026-12-07"), "82026"),
        ("date", json!("2026-02-30"), "日期"),
        ("copies", json!("一百"), "阿拉伯数字"),
    ] {
        let answer = page.json("PUT", "api/issues/004", &with(key, value));
        let refused = answer.refused(422);
        assert_eq!(refused["field"], key, "{refused}");
        let error = refused["error"].as_str().unwrap();
        assert!(error.contains(words), "{error}");
        assert!(!error.contains(key) && !error.contains('`'), "{error}");
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }
    let answer = page.json("PUT", "api/issues/004", &with("number", json!("第5期")));
    assert_eq!(
        answer.status,
        200,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    assert_eq!(answer.json()["front"]["number"], 5);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().filter(|l| l.trim_end() == "+++").count(), 2);
}

/// What a request may ask the page's one working thread to do is bounded
/// before the work: a clipboard's table no page can print, or more text
/// than a page lays out live, is refused at once with what to do; a file
/// that is not UTF-8 is never saved over with U+FFFD in its front matter;
/// the problems' advice names the page's 一键修正, not a command.
#[test]
fn serve_refuses_work_no_page_needs_and_keeps_bytes_it_cannot_read() {
    let dir = copy_publication(&repo());
    let root = dir.path();
    let page = Page::start(root, &["serve"]);

    // One row of 10 000 cells spanning 64 columns each (minutes before).
    let cell = json!({"runs": [{"text": "x", "bold": false}], "colspan": 64, "rowspan": 1});
    let wide = json!({"key": "004", "blocks": [{"kind": "table", "rows": [vec![cell; 10_000]]}]});
    let started = Instant::now();
    let refused = page.json("POST", "api/paste", &wide).refused(422);
    assert!(
        refused["error"].as_str().unwrap().contains("列"),
        "{refused}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    let cell = json!({"runs": [{"text": "格", "bold": false}]});
    let long =
        json!({"key": "004", "blocks": [{"kind": "table", "rows": vec![vec![cell; 10]; 3000]}]});
    page.json("POST", "api/paste", &long).refused(422);
    // A table a page prints still pastes.
    let cell = json!({"runs": [{"text": "格", "bold": false}]});
    let fine = json!({"key": "004", "blocks": [{"kind": "table", "rows": vec![vec![cell; 4]; 3]}]});
    assert_eq!(page.json("POST", "api/paste", &fine).status, 200);

    // A body of more text than a page lays out live.
    let first = page.issue("004");
    let body = "一二三四五六七八九十".repeat(25_000);
    let put = json!({"base": first["version"], "body": body});
    let started = Instant::now();
    page.json("PUT", "api/issues/004", &put).refused(413);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );

    // A GBK comment in the front matter: a body-only save would turn it
    // into U+FFFD; refused, the bytes kept.
    let path = root.join("issues/004.md");
    let mut bytes = std::fs::read(&path).unwrap();
    let at = bytes.windows(4).position(|w| w == b"+++\n").unwrap() + 4;
    bytes.splice(at..at, b"# \xb1\xbe\xc6\xda\n".iter().copied());
    std::fs::write(&path, &bytes).unwrap();
    let read = page.issue("004");
    let put = json!({"base": read["version"], "body": read["body"]});
    page.json("PUT", "api/issues/004", &put).refused(422);
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
}

/// The advice of a problem the page can fix names its button.
#[test]
fn serve_says_the_pages_button_where_check_says_a_command() {
    let dir = copy_publication(&repo());
    let root = dir.path();
    let page = Page::start(root, &["serve"]);
    let first = page.issue("004");
    let body = first["body"]
        .as_str()
        .unwrap()
        .replacen("郑州市教育局在", "郑州市教育局,在", 1);
    let saved = page.json(
        "PUT",
        "api/issues/004",
        &json!({"base": first["version"], "body": body}),
    );
    let saved = saved.json();
    let words: Vec<String> = saved["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| [d["message"].to_string(), d["help"].to_string()])
        .collect();
    assert!(words.iter().any(|w| w.contains("一键修正")), "{words:?}");
    assert!(
        !words.iter().any(|w| w.contains("jianbao check")),
        "{words:?}"
    );
}

/// Under a file-size limit (`ulimit -f`), a save too large for it fails
/// with a message, its temporary file removed, and the server goes on.
#[cfg(unix)]
#[test]
fn serve_survives_a_file_size_limit() {
    use std::os::unix::process::CommandExt;
    let dir = copy_publication(&repo());
    let root = dir.path();
    let run = Running::start_with(root, &["serve"], |command| {
        // SAFETY: setrlimit is async-signal-safe; nothing else runs here.
        unsafe {
            command.pre_exec(|| {
                let limit = libc::rlimit {
                    rlim_cur: 64 * 1024,
                    rlim_max: 64 * 1024,
                };
                if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    });
    let served = run.served();
    let page = Page {
        _run: run,
        served,
        agent: ureq::Agent::config_builder()
            .timeout_global(Some(STEP))
            .http_status_as_error(false)
            .build()
            .into(),
    };
    let path = root.join("issues/004.md");
    let before = std::fs::read(&path).unwrap();
    let first = page.issue("004");
    let body = format!(
        "{}\n{}\n",
        first["body"].as_str().unwrap(),
        "长".repeat(40_000)
    );
    let answer = page.json(
        "PUT",
        "api/issues/004",
        &json!({"base": first["version"], "body": body}),
    );
    answer.refused(500);
    assert_eq!(std::fs::read(&path).unwrap(), before);
    let names: Vec<String> = std::fs::read_dir(root.join("issues"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["004.md"]);
    // Still serving.
    assert_eq!(page.issue("004")["version"], first["version"]);
}
