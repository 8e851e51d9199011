//! The import graph of the library has no cycle: no module imports one
//! that imports it, directly or through others.
//!
//! Read from the sources (`src/**/*.rs`, the library crate; `main.rs` is
//! the binary's crate and imports only the library). An import is any path
//! that starts `crate::`, `$crate::`, `super::`, `self::` or a child module
//! declared with `mod x;` — in a `use` (groups included) or written inline
//! (`crate::clean::cleaned(…)`), in code or in a macro's body. Comments,
//! doc links and string literals are not imports.
//!
//! Two granularities, both checked:
//! - files: each `.rs` file is a node (a folder's `mod.rs` is the folder's
//!   own file, so a file that reaches into `super::` for an item of the
//!   `mod.rs` that uses it is a cycle);
//! - top-level modules: `src/x.rs` or the folder `src/x/` is one node, so
//!   two stages may not lean on each other through different files.
//!
//! `mod x;` itself declares a child and is not an import.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A file's module path from the crate root (`src/compose/grid.rs` →
/// `["compose", "grid"]`).
type ModPath = Vec<String>;

/// Where an import was written, to name it when it closes a cycle.
#[derive(Clone, Debug)]
struct Site {
    line: usize,
    path: String,
}

#[derive(Default)]
struct Graph {
    /// from → to → the first place `from` imports `to`.
    edges: BTreeMap<String, BTreeMap<String, (String, Site)>>,
}

impl Graph {
    fn add(&mut self, from: &str, to: &str, file: &str, site: Site) {
        if from != to {
            self.edges
                .entry(from.to_string())
                .or_default()
                .entry(to.to_string())
                .or_insert((file.to_string(), site));
        }
        self.edges.entry(to.to_string()).or_default();
    }

    /// Every cycle, one per strongly connected component, as the chain of
    /// nodes with the import that makes each step.
    fn cycles(&self) -> Vec<String> {
        let mut out = Vec::new();
        for component in self.components() {
            if component.len() < 2 {
                continue;
            }
            let start = component.iter().next().unwrap().clone();
            let chain = self.path_back(&start, &component);
            let mut text = String::new();
            for pair in chain.windows(2) {
                let (file, site) = &self.edges[&pair[0]][&pair[1]];
                text.push_str(&format!(
                    "  {} → {}   ({}:{}: {})\n",
                    pair[0], pair[1], file, site.line, site.path
                ));
            }
            out.push(format!(
                "cycle among {{{}}}:\n{text}",
                component.iter().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
        out
    }

    /// A shortest chain start → … → start inside `within` (breadth first).
    fn path_back(&self, start: &str, within: &BTreeSet<String>) -> Vec<String> {
        let mut came: BTreeMap<String, String> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([start.to_string()]);
        while let Some(n) = queue.pop_front() {
            for next in self.edges[&n].keys().filter(|k| within.contains(*k)) {
                if next == start {
                    let mut chain = vec![start.to_string(), n.clone()];
                    let mut at = n.clone();
                    while at != start {
                        at = came[&at].clone();
                        chain.push(at.clone());
                    }
                    chain.reverse();
                    return chain;
                }
                if !came.contains_key(next) {
                    came.insert(next.clone(), n.clone());
                    queue.push_back(next.clone());
                }
            }
        }
        unreachable!("a component of two or more nodes has a cycle through each")
    }

    /// Strongly connected components (Tarjan).
    fn components(&self) -> Vec<BTreeSet<String>> {
        struct State<'a> {
            g: &'a Graph,
            index: BTreeMap<&'a str, usize>,
            low: BTreeMap<&'a str, usize>,
            stack: Vec<&'a str>,
            on: BTreeSet<&'a str>,
            out: Vec<BTreeSet<String>>,
        }
        fn visit<'a>(s: &mut State<'a>, v: &'a str) {
            let n = s.index.len();
            s.index.insert(v, n);
            s.low.insert(v, n);
            s.stack.push(v);
            s.on.insert(v);
            for w in s.g.edges[v].keys() {
                let w = w.as_str();
                if !s.index.contains_key(w) {
                    visit(s, w);
                    let lw = s.low[w];
                    let lv = s.low.get_mut(v).unwrap();
                    *lv = (*lv).min(lw);
                } else if s.on.contains(w) {
                    let iw = s.index[w];
                    let lv = s.low.get_mut(v).unwrap();
                    *lv = (*lv).min(iw);
                }
            }
            if s.low[v] == s.index[v] {
                let mut c = BTreeSet::new();
                loop {
                    let w = s.stack.pop().unwrap();
                    s.on.remove(w);
                    c.insert(w.to_string());
                    if w == v {
                        break;
                    }
                }
                s.out.push(c);
            }
        }
        let mut s = State {
            g: self,
            index: BTreeMap::new(),
            low: BTreeMap::new(),
            stack: Vec::new(),
            on: BTreeSet::new(),
            out: Vec::new(),
        };
        for v in self.edges.keys() {
            if !s.index.contains_key(v.as_str()) {
                visit(&mut s, v);
            }
        }
        s.out
    }
}

/// Tokens of Rust source with comments and literals taken out: words
/// (identifiers, keywords, `$crate`), `::` and single punctuation, each
/// with its line.
fn tokens(src: &str) -> Vec<(String, usize)> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            loop {
                if i >= chars.len() {
                    break;
                }
                if chars[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    line += usize::from(chars[i] == '\n');
                    i += 1;
                }
            }
        } else if (c == 'r' || (c == 'b' && at(i + 1) == 'r'))
            && matches!(at(i + usize::from(c == 'b') + 1), '#' | '"')
            && {
                // r"…", r#"…"#, br"…": a raw string (not an identifier r#x).
                let mut j = i + usize::from(c == 'b') + 1;
                while at(j) == '#' {
                    j += 1;
                }
                at(j) == '"'
            }
        {
            let mut j = i + usize::from(c == 'b') + 1;
            let mut hashes = 0;
            while at(j) == '#' {
                hashes += 1;
                j += 1;
            }
            j += 1;
            loop {
                if j >= chars.len() {
                    break;
                }
                if chars[j] == '"' && (1..=hashes).all(|k| at(j + k) == '#') {
                    j += 1 + hashes;
                    break;
                }
                line += usize::from(chars[j] == '\n');
                j += 1;
            }
            i = j;
        } else if c == '"' || (c == 'b' && at(i + 1) == '"') {
            let mut j = i + if c == 'b' { 2 } else { 1 };
            while j < chars.len() && chars[j] != '"' {
                if chars[j] == '\\' {
                    j += 1;
                }
                line += usize::from(at(j) == '\n');
                j += 1;
            }
            i = j + 1;
        } else if c == '\'' || (c == 'b' && at(i + 1) == '\'') {
            let j = i + if c == 'b' { 1 } else { 0 };
            // A char literal ('x', '\n', '\u{7B}') or a lifetime ('a).
            if at(j + 1) == '\\' {
                let mut k = j + 3;
                while k < chars.len() && chars[k] != '\'' {
                    k += 1;
                }
                i = k + 1;
            } else if at(j + 2) == '\'' {
                i = j + 3;
            } else {
                i = j + 1;
            }
        } else if c.is_alphanumeric() || c == '_' || (c == '$' && at(i + 1).is_alphabetic()) {
            let start = i;
            i += 1;
            while at(i).is_alphanumeric() || at(i) == '_' {
                i += 1;
            }
            out.push((chars[start..i].iter().collect(), line));
        } else if c == ':' && at(i + 1) == ':' {
            out.push(("::".into(), line));
            i += 2;
        } else {
            out.push((c.to_string(), line));
            i += 1;
        }
    }
    out
}

/// The module paths a file imports, each with where it was written.
/// `shown` names the file when the reader fails on it.
fn imports(src: &str, here: &ModPath, shown: &str) -> Vec<(ModPath, Site)> {
    let toks = tokens(src);
    let word = |k: usize| toks.get(k).map_or("", |t| t.0.as_str());
    // Child modules declared `mod x;` (files), for paths written from them.
    let mut children = BTreeSet::new();
    for k in 0..toks.len() {
        if word(k) == "mod" && word(k + 2) == ";" {
            children.insert(word(k + 1).to_string());
        }
    }
    // The inline modules (`mod tests { … }`) open at each brace depth.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0;
    let mut out = Vec::new();
    let mut k = 0;
    while k < toks.len() {
        let t = word(k);
        match t {
            "{" => depth += 1,
            "}" => {
                depth -= 1;
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
            }
            "mod" if word(k + 2) == "{" => {
                inline.push((word(k + 1).to_string(), depth));
            }
            _ => {}
        }
        let module: ModPath = here
            .iter()
            .cloned()
            .chain(inline.iter().map(|(n, _)| n.clone()))
            .collect();
        let line = toks[k].1;
        if t == "use" {
            // A use tree, groups and all, up to its `;`.
            let end = (k..toks.len())
                .find(|&e| word(e) == ";")
                .unwrap_or(toks.len());
            let tree: Vec<&str> = toks[k + 1..end].iter().map(|t| t.0.as_str()).collect();
            for path in use_paths(&tree) {
                if let Some(p) = resolve(&path, &module, inline.is_empty(), &children) {
                    out.push((
                        p,
                        Site {
                            line,
                            path: path.join("::"),
                        },
                    ));
                }
            }
            k = end;
            continue;
        }
        // A path written inline: starts a chain `a::b::c` not continuing one.
        let starts = matches!(t, "crate" | "$crate" | "super" | "self")
            || (children.contains(t) && inline.is_empty());
        if starts && word(k + 1) == "::" && word(k.wrapping_sub(1)) != "::" {
            let mut path = vec![t.to_string()];
            let mut e = k + 1;
            while word(e) == "::"
                && word(e + 1).chars().all(|c| c.is_alphanumeric() || c == '_')
                && !word(e + 1).is_empty()
            {
                path.push(word(e + 1).to_string());
                e += 2;
            }
            if let Some(p) = resolve(&path, &module, inline.is_empty(), &children) {
                out.push((
                    p,
                    Site {
                        line,
                        path: path.join("::"),
                    },
                ));
            }
            k = e;
            continue;
        }
        k += 1;
    }
    // Braces that do not balance mean a literal or comment was misread,
    // and the imports after it with it: the reader is wrong, not the file.
    assert_eq!(depth, 0, "{shown}: the import reader lost its way");
    out
}

/// The paths of a use tree (`a::{b, c::{d, e}}` → a::b, a::c::d, a::c::e).
fn use_paths(tree: &[&str]) -> Vec<Vec<String>> {
    fn walk(tree: &[&str], k: &mut usize, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
        let mut path = prefix;
        while *k < tree.len() {
            match tree[*k] {
                "::" => *k += 1,
                "{" => {
                    *k += 1;
                    loop {
                        walk(tree, k, path.clone(), out);
                        match tree.get(*k) {
                            Some(&",") => *k += 1,
                            _ => break,
                        }
                        if tree.get(*k) == Some(&"}") {
                            break;
                        }
                    }
                    *k += 1; // the `}`
                    return;
                }
                "," | "}" => break,
                "as" => *k += 2,
                "*" => *k += 1,
                w => {
                    path.push(w.to_string());
                    *k += 1;
                }
            }
        }
        out.push(path);
    }
    let mut out = Vec::new();
    let mut k = 0;
    let tree: Vec<&str> = tree.iter().copied().filter(|t| *t != "pub").collect();
    walk(&tree, &mut k, Vec::new(), &mut out);
    out
}

/// A written path as a module path from the crate root, when it names the
/// crate's own code (std, typst and other crates are not nodes).
fn resolve(
    path: &[String],
    module: &ModPath,
    file_level: bool,
    children: &BTreeSet<String>,
) -> Option<ModPath> {
    let first = path.first()?.as_str();
    let mut base: ModPath = match first {
        "crate" | "$crate" => Vec::new(),
        "self" | "super" => module.clone(),
        c if children.contains(c) && file_level => module.clone(),
        _ => return None,
    };
    let mut rest = path;
    if matches!(first, "crate" | "$crate" | "self") {
        rest = &path[1..];
    }
    while rest.first().is_some_and(|s| s == "super") {
        base.pop()?;
        rest = &rest[1..];
    }
    base.extend(rest.iter().cloned());
    Some(base)
}

/// The file that holds module path `m`: the longest prefix of it that is a
/// file (an item or inline module lives in its file).
fn file_of(m: &ModPath, files: &BTreeMap<ModPath, String>) -> Option<String> {
    (0..=m.len())
        .rev()
        .find_map(|n| files.get(&m[..n]).cloned())
}

/// The library's files by module path, read from `src`.
fn library(src: &Path) -> BTreeMap<ModPath, (String, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut paths = Vec::new();
    walk(src, &mut paths);
    let mut out = BTreeMap::new();
    for path in paths {
        let rel = path.strip_prefix(src).unwrap();
        let mut m: ModPath = rel
            .with_extension("")
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if rel == Path::new("main.rs") {
            continue;
        }
        if m.last().is_some_and(|l| l == "mod" || l == "lib") {
            m.pop();
        }
        let shown = format!("src/{}", rel.display());
        out.insert(m, (shown, std::fs::read_to_string(&path).unwrap()));
    }
    out
}

/// The file graph and the top-level module graph of the crate in `src`.
fn graphs(src: &Path) -> (Graph, Graph) {
    let lib = library(src);
    let files: BTreeMap<ModPath, String> = lib
        .iter()
        .map(|(m, (shown, _))| (m.clone(), shown.clone()))
        .collect();
    let mut by_file = Graph::default();
    let mut by_module = Graph::default();
    for (m, (shown, text)) in &lib {
        by_file.add(
            shown,
            shown,
            shown,
            Site {
                line: 0,
                path: String::new(),
            },
        );
        for (target, site) in imports(text, m, shown) {
            let Some(to) = file_of(&target, &files) else {
                continue;
            };
            by_file.add(shown, &to, shown, site.clone());
            let top = |p: &ModPath| p.first().cloned().unwrap_or_else(|| "lib".into());
            let to_module: ModPath = files
                .iter()
                .find(|(_, f)| **f == to)
                .map(|(p, _)| p.clone())
                .unwrap();
            if !m.is_empty() && !to_module.is_empty() {
                by_module.add(&top(m), &top(&to_module), shown, site);
            }
        }
    }
    (by_file, by_module)
}

#[test]
fn no_module_imports_one_that_imports_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let (files, modules) = graphs(&src);
    let mut problems = files.cycles();
    problems.extend(modules.cycles());
    assert!(
        problems.is_empty(),
        "import cycles (see docs/architecture.md):\n{}",
        problems.join("\n")
    );
    // The graph was read at all: the pipeline's stages import what they
    // must (a reader that found nothing would pass any crate).
    let imports =
        |from: &str, to: &str| modules.edges.get(from).is_some_and(|e| e.contains_key(to));
    assert!(imports("compose", "layout_data"), "{:#?}", modules.edges);
    assert!(imports("typeset", "compose"));
    assert!(imports("archive", "typeset"));
    assert!(!imports("layout_data", "compose") && !imports("layout_data", "typeset"));
}

/// The modules from the bottom up: each after every module it imports
/// (ties by name).
fn bottom_up(g: &Graph) -> Vec<String> {
    let mut done: Vec<String> = Vec::new();
    while done.len() < g.edges.len() {
        let next = g
            .edges
            .iter()
            .find(|(m, to)| !done.contains(m) && to.keys().all(|t| done.contains(t)))
            .map(|(m, _)| m.clone())
            .expect("no cycle (checked above)");
        done.push(next);
    }
    done
}

/// The import graph of the top-level modules as `docs/architecture.md`
/// shows it: a table from the bottom up and a mermaid graph of its layers
/// (the folders' own tables follow, from [`folders_section`]).
fn graph_section(g: &Graph) -> String {
    let order = bottom_up(g);
    let mut out = String::from("| module | imports |\n|---|---|\n");
    for m in &order {
        let to: Vec<String> = order
            .iter()
            .filter(|t| g.edges[m].contains_key(*t))
            .map(|t| format!("`{t}`"))
            .collect();
        let to = if to.is_empty() {
            "—".to_string()
        } else {
            to.join(", ")
        };
        out.push_str(&format!("| `{m}` | {to} |\n"));
    }
    // The graph without the imports that another path implies (a module
    // that imports `fonts` and `config`, when `fonts` imports `config`,
    // shows only the arrow to `fonts`): its layers, readable.
    let reaches = |from: &str, to: &str, not_via: &str| {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<&str> = g.edges[from]
            .keys()
            .map(String::as_str)
            .filter(|n| *n != not_via)
            .collect();
        while let Some(n) = stack.pop() {
            if n == to {
                return true;
            }
            if seen.insert(n) {
                stack.extend(g.edges[n].keys().map(String::as_str));
            }
        }
        false
    };
    out.push_str("\n```mermaid\nflowchart BT\n");
    for m in &order {
        for t in order.iter().filter(|t| g.edges[m].contains_key(*t)) {
            if !reaches(m, t, t) {
                out.push_str(&format!("  {m} --> {t}\n"));
            }
        }
    }
    out.push_str("```\n");
    out
}

/// Inside each folder: its files from the bottom up, each with the files
/// of the same folder it imports.
fn folders_section(files: &Graph) -> String {
    let mut folders: BTreeSet<&str> = BTreeSet::new();
    for f in files.edges.keys() {
        if let Some((folder, _)) = f.rsplit_once('/').filter(|(d, _)| *d != "src") {
            folders.insert(folder);
        }
    }
    let mut out = String::new();
    for folder in folders {
        let inside = |f: &str| f.rsplit_once('/').is_some_and(|(d, _)| d == folder);
        let mut sub = Graph::default();
        for (from, to) in files.edges.iter().filter(|(f, _)| inside(f)) {
            sub.edges.entry(from.clone()).or_default();
            for (t, site) in to.iter().filter(|(t, _)| inside(t)) {
                sub.add(from, t, &site.0, site.1.clone());
            }
        }
        let name = |f: &str| f.rsplit_once('/').map_or(f, |(_, n)| n).to_string();
        out.push_str(&format!(
            "\n`{folder}/`\n\n| file | imports in the folder |\n|---|---|\n"
        ));
        let order = bottom_up(&sub);
        for f in &order {
            let to: Vec<String> = order
                .iter()
                .filter(|t| sub.edges[f].contains_key(*t))
                .map(|t| format!("`{}`", name(t)))
                .collect();
            let to = if to.is_empty() {
                "—".to_string()
            } else {
                to.join(", ")
            };
            out.push_str(&format!("| `{}` | {to} |\n", name(f)));
        }
    }
    out
}

/// `docs/architecture.md` shows the import graph the sources have.
/// `JIANBAO_BLESS=1 cargo test --test architecture` writes it there.
#[test]
fn the_documented_graph_is_the_graph() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (files, modules) = graphs(&root.join("src"));
    if !modules.cycles().is_empty() {
        return; // reported by no_module_imports_one_that_imports_it
    }
    let doc_path = root.join("docs/architecture.md");
    let doc = std::fs::read_to_string(&doc_path).unwrap();
    const BEGIN: &str = "<!-- import graph: written by tests/architecture.rs -->\n";
    const END: &str = "<!-- end of import graph -->";
    let (Some(a), Some(b)) = (doc.find(BEGIN), doc.find(END)) else {
        panic!("docs/architecture.md has no import graph between {BEGIN:?} and {END:?}");
    };
    let shown = &doc[a + BEGIN.len()..b];
    let actual = format!("{}{}", graph_section(&modules), folders_section(&files));
    if shown != actual {
        if std::env::var_os("JIANBAO_BLESS").is_some() {
            let text = format!("{}{BEGIN}{actual}{}", &doc[..a], &doc[b..]);
            std::fs::write(&doc_path, text).unwrap();
        } else {
            panic!(
                "docs/architecture.md shows another import graph than src/ has; \
                 look at this one and write it with \
                 JIANBAO_BLESS=1 cargo test --test architecture:\n{actual}"
            );
        }
    }
}

/// The reader on a made-up crate: the cycles it must find and name, and
/// what is not an import.
#[test]
fn a_cycle_is_found_and_named() {
    let dir = std::env::temp_dir().join(format!("jianbao-architecture-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let write = |rel: &str, text: &str| {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write("lib.rs", "pub mod a;\npub mod b;\npub mod c;\npub mod d;\n");
    // a ↔ b through a use group and an inline path.
    write("a.rs", "use crate::{x::y, b::{self, Thing}};\n");
    write(
        "b.rs",
        "fn f() { let s = \"crate::c::z\"; crate::a::go(); }\n",
    );
    // Not imports: a comment, a doc link, a string, a char, a lifetime; a
    // test module's `super::*` (its own file).
    write(
        "c.rs",
        "// crate::d::x\n/// [`crate::d::y`]\nfn g<'a>(s: &'a str) -> char { let _ = \"super::d\"; '{' }\n\
         fn h() { let _ = (r#\"}\"{\"#, b'}', '\\'', \"\\\"}\", /* } /* } */ */ '\\u{7B}'); }\n\
         #[cfg(test)]\nmod tests { use super::*; }\n",
    );
    // Inside a folder: a child that reaches into its mod.rs.
    write("d/mod.rs", "mod e;\nuse e::Thing;\npub fn face() {}\n");
    write("d/e.rs", "use super::face;\npub struct Thing;\n");
    let (files, modules) = graphs(&dir);
    let cycles = files.cycles();
    assert_eq!(cycles.len(), 2, "{cycles:#?}");
    assert!(cycles[0].contains("src/a.rs → src/b.rs") || cycles[1].contains("src/a.rs → src/b.rs"));
    let folder = cycles.iter().find(|c| c.contains("src/d/e.rs")).unwrap();
    assert!(folder.contains("src/d/e.rs:1: super::face"), "{folder}");
    assert!(!files.edges["src/c.rs"].contains_key("src/d/mod.rs"));
    assert_eq!(modules.cycles().len(), 1, "{:#?}", modules.cycles());
    std::fs::remove_dir_all(&dir).unwrap();
}
