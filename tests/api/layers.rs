//! The architecture's one-way rules, checked on the source itself: data flows web -> domain
//! -> db, src/mail renders and sends, src/auth keeps hashing, tokens, rights and the
//! policy, and no two files import each other (directly or around a loop). A new back edge
//! or cycle fails here, naming the files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A module as a path under src/ ("web/users" for src/web/users/mod.rs).
type Module = Vec<String>;

struct Source {
    /// Imports and paths named, each resolved to the module it points into.
    deps: BTreeSet<Module>,
}

fn modules() -> BTreeMap<Module, Source> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    collect(&src, &mut files);
    let mut texts = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap().with_extension("");
        let mut parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        // The binary is not part of the library's layers.
        if parts == ["main"] {
            continue;
        }
        if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
            parts.pop();
        }
        let text = code_only(&std::fs::read_to_string(&file).unwrap());
        texts.insert(parts, text);
    }
    let known: BTreeSet<Module> = texts.keys().cloned().collect();
    texts
        .iter()
        .map(|(module, text)| {
            let deps = dependencies(module, text, &known);
            (module.clone(), Source { deps })
        })
        .collect()
}

fn collect(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The code without comments, string and character literals, and the unit tests at the
/// end of a file (they may reach anywhere).
fn code_only(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod ") {
        Some(at) => &text[..at],
        None => text,
    };
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                i += 1;
            }
            i += 2;
        } else if c == 'r'
            && (next == Some('"') || next == Some('#'))
            && !ident(chars.get(i.wrapping_sub(1)))
        {
            // A raw string: r"..." or r#"..."#.
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= chars.len() {
                    break;
                }
                if chars[j] == '"' && (0..hashes).all(|h| chars.get(j + 1 + h) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' && (chars.get(i + 2) == Some(&'\'') || next == Some('\\')) {
            // A character literal ('x', '\n', '\u{..}'), not a lifetime.
            let mut j = i + 1;
            if next == Some('\\') {
                j += 1;
            }
            while j < chars.len() && chars[j] != '\'' {
                j += 1;
            }
            i = j + 1;
            out.push_str("' '");
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn ident(c: Option<&char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || *c == '_')
}

/// Splits `a::b::{c, d::e}` into full paths.
fn expand(prefix: &[String], tree: &str) -> Vec<Vec<String>> {
    let tree = tree.trim();
    if let Some(inner) = tree.strip_prefix('{') {
        let inner = inner.strip_suffix('}').unwrap_or(inner);
        let mut parts = Vec::new();
        let (mut depth, mut start) = (0, 0);
        for (at, ch) in inner.char_indices() {
            match ch {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    parts.push(&inner[start..at]);
                    start = at + 1;
                }
                _ => {}
            }
        }
        parts.push(&inner[start..]);
        return parts
            .into_iter()
            .filter(|p| !p.trim().is_empty())
            .flat_map(|p| expand(prefix, p))
            .collect();
    }
    match tree.split_once("::") {
        Some((head, rest)) => {
            let mut longer = prefix.to_vec();
            longer.push(head.trim().to_owned());
            expand(&longer, rest)
        }
        None => {
            let mut path = prefix.to_vec();
            let name = tree.split_whitespace().next().unwrap_or("");
            if !name.is_empty() && name != "self" && name != "*" {
                path.push(name.to_owned());
            }
            vec![path]
        }
    }
}

/// The longest prefix of `path` that is a module.
fn resolve(path: &[String], known: &BTreeSet<Module>) -> Option<Module> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|m| known.contains(m))
}

/// `crate::a::b` and `super::a` paths, in `use` lines and in the code.
fn dependencies(module: &Module, text: &str, known: &BTreeSet<Module>) -> BTreeSet<Module> {
    // `super` of src/web/users/mod.rs is web, as is that of src/web/home.rs.
    let parent: Module = module[..module.len().saturating_sub(1)].to_vec();
    let mut paths: Vec<Vec<String>> = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("use ") {
        let before = rest[..at].chars().last();
        rest = &rest[at + 4..];
        if ident(before.as_ref()) {
            continue;
        }
        let Some(end) = rest.find(';') else { break };
        let tree = rest[..end].trim();
        if let Some(t) = tree.strip_prefix("crate::") {
            paths.extend(expand(&[], t));
        } else if let Some(t) = tree.strip_prefix("super::") {
            paths.extend(expand(&parent, t));
        } else if let Some(t) = tree.strip_prefix("self::") {
            paths.extend(expand(module, t));
        }
    }
    for (marker, base) in [("crate::", Vec::new()), ("super::", parent.clone())] {
        let mut rest = text;
        while let Some(at) = rest.find(marker) {
            let before = rest[..at].chars().last();
            rest = &rest[at + marker.len()..];
            if ident(before.as_ref()) || before == Some(':') {
                continue;
            }
            let path: Vec<String> = rest
                .split("::")
                .map(|seg| {
                    seg.chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect::<String>()
                })
                .take_while(|seg| !seg.is_empty())
                .collect();
            let mut full = base.clone();
            full.extend(path);
            paths.push(full);
        }
    }
    paths
        .iter()
        .filter_map(|p| resolve(p, known))
        .filter(|m| m != module && !m.is_empty())
        // A module declaring, routing to or re-exporting its own children is how Rust
        // composes a module, not an import between peers; a child reaching up into its
        // parent still counts.
        .filter(|m| !(m.len() > module.len() && m.starts_with(module)))
        .collect()
}

fn name(m: &Module) -> String {
    m.join("/")
}

/// A layer's first folder, and the folders (or files) it must not reach.
fn refused(from: &Module, to: &Module) -> bool {
    let to_schema = to.len() >= 2 && to[0] == "db" && to[1] == "schema";
    match from.first().map(String::as_str) {
        Some("db") => matches!(to[0].as_str(), "domain" | "web" | "mail" | "auth"),
        Some("domain") => matches!(to[0].as_str(), "web" | "mail"),
        // The policy and the rights are leaves the layers above use; they name only ids.
        Some("auth") => {
            matches!(to[0].as_str(), "web" | "mail" | "db")
                || (to[0] == "domain" && to.len() > 1 && to[1] != "ids")
        }
        Some("mail") => to[0] == "web" || to_schema,
        Some("web") => to_schema,
        _ => false,
    }
}

#[test]
fn imports_point_one_way() {
    let modules = modules();
    let back: Vec<String> = modules
        .iter()
        .flat_map(|(from, src)| {
            src.deps
                .iter()
                .filter(move |to| refused(from, to))
                .map(move |to| format!("{} -> {}", name(from), name(to)))
        })
        .collect();
    assert!(back.is_empty(), "back edges:\n{}", back.join("\n"));
}

#[test]
fn no_two_files_import_each_other_even_around_a_loop() {
    let modules = modules();
    let cycles = strongly_connected(&modules);
    let shown: Vec<String> = cycles
        .iter()
        .map(|c| c.iter().map(name).collect::<Vec<_>>().join(", "))
        .collect();
    assert!(shown.is_empty(), "import cycles:\n{}", shown.join("\n"));
}

#[test]
fn the_checker_sees_a_back_edge_and_a_cycle() {
    // The rules above are only as good as the reading of the source: a sample of each kind.
    let known: BTreeSet<Module> = [
        vec!["web".into()],
        vec!["web".into(), "a".into()],
        vec!["db".into(), "schema".into()],
        vec!["db".into()],
    ]
    .into_iter()
    .collect();
    let a = vec!["web".to_owned(), "a".to_owned()];
    let text = code_only(
        "// use crate::db::schema::users;\nuse crate::db::{schema::users, Pool};\nfn f() { let s = \"crate::web\"; }",
    );
    let deps = dependencies(&a, &text, &known);
    assert_eq!(
        deps,
        [
            vec!["db".to_owned()],
            vec!["db".to_owned(), "schema".to_owned()]
        ]
        .into_iter()
        .collect()
    );
    assert!(refused(&a, &vec!["db".into(), "schema".into()]));
    let parent = dependencies(&vec!["web".into()], "pub use crate::web::a::show;", &known);
    assert!(
        parent.is_empty(),
        "a parent naming its child is composition"
    );
}

/// Tarjan's algorithm: the groups of modules that reach each other.
fn strongly_connected(modules: &BTreeMap<Module, Source>) -> Vec<Vec<Module>> {
    struct Walk<'a> {
        modules: &'a BTreeMap<Module, Source>,
        index: BTreeMap<&'a Module, usize>,
        low: BTreeMap<&'a Module, usize>,
        stack: Vec<&'a Module>,
        on_stack: BTreeSet<&'a Module>,
        found: Vec<Vec<Module>>,
    }
    fn visit<'a>(w: &mut Walk<'a>, v: &'a Module) {
        let n = w.index.len();
        w.index.insert(v, n);
        w.low.insert(v, n);
        w.stack.push(v);
        w.on_stack.insert(v);
        for to in &w.modules[v].deps {
            let Some((to, _)) = w.modules.get_key_value(to) else {
                continue;
            };
            if !w.index.contains_key(to) {
                visit(w, to);
                let low = w.low[v].min(w.low[to]);
                w.low.insert(v, low);
            } else if w.on_stack.contains(to) {
                let low = w.low[v].min(w.index[to]);
                w.low.insert(v, low);
            }
        }
        if w.low[v] == w.index[v] {
            let mut group = Vec::new();
            while let Some(m) = w.stack.pop() {
                w.on_stack.remove(m);
                group.push(m.clone());
                if m == v {
                    break;
                }
            }
            if group.len() > 1 {
                group.sort();
                w.found.push(group);
            }
        }
    }
    let mut w = Walk {
        modules,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for m in modules.keys() {
        if !w.index.contains_key(m) {
            visit(&mut w, m);
        }
    }
    w.found
}
