//! The engine's layers, checked from its source: every `crate::…` path in a module names a
//! module in the same layer or one below it (leaves ← mechanisms ← scenario ← sim ← present ←
//! shells). `lib.rs` re-exports everything and is not checked. See ARCHITECTURE.md.

use std::path::{Path, PathBuf};

/// The layer of a top-level module of the crate, lowest first.
fn layer(module: &str) -> Option<usize> {
    Some(match module {
        "common" | "decimal" | "time" | "rng" | "tagged" | "wire" | "codec" => 0,
        "mechanisms" => 1,
        "scenario" => 2,
        "sim" => 3,
        "present" => 4,
        "bench" => 5,
        _ => return None,
    })
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `(line, imported module)` for every `crate::x` in `src` outside comments, up to the
/// module's unit tests (`#[cfg(test)]`, at the end of a file by convention), which may use
/// anything.
fn imports(src: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, line) in src.lines().enumerate() {
        if line.trim() == "#[cfg(test)]" {
            break;
        }
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            let tail = &rest[i + "crate::".len()..];
            let name: String = tail
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            out.push((n + 1, name));
            rest = tail;
        }
    }
    out
}

#[test]
fn every_import_points_down_the_layers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    files.sort();
    let mut wrong = Vec::new();
    let mut checked = 0;
    for file in &files {
        let rel = file.strip_prefix(&root).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let top = top.trim_end_matches(".rs");
        let own = match top {
            "lib" => continue,
            "bin" => 5,
            t => layer(t).unwrap_or_else(|| panic!("{} is in no layer", rel.display())),
        };
        for (line, name) in imports(&std::fs::read_to_string(file).unwrap()) {
            let Some(theirs) = layer(&name) else {
                // A re-exported item or module of the crate root (`crate::SimTime`) hides its
                // layer: name the module instead.
                wrong.push(format!(
                    "{}:{line}: crate::{name} (name its module)",
                    rel.display()
                ));
                continue;
            };
            checked += 1;
            if theirs > own {
                wrong.push(format!(
                    "{}:{line}: crate::{name} is above it",
                    rel.display()
                ));
            }
        }
    }
    assert!(
        checked > 100,
        "only {checked} imports found: is the source where it was?"
    );
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_check_sees_an_import_from_above() {
    // What the test above would flag: a mechanism naming the simulation.
    let src = "use crate::sim::Simulation; // not allowed in mechanisms/\n\
               let x = crate::common::InstanceId(0);\n\
               #[cfg(test)]\n\
               use crate::present::notice;\n";
    let found = imports(src);
    assert_eq!(
        found,
        vec![(1, "sim".to_string()), (2, "common".to_string())]
    );
    assert!(layer("sim").unwrap() > layer("mechanisms").unwrap());
}

/// The Rust files of the app's folder `dir` (`src/DIR`), at least `at_least` of them.
fn app_files(dir: &str, at_least: usize) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../src")
        .join(dir);
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    assert!(files.len() >= at_least, "{files:?}");
    files
}

#[test]
fn the_apps_state_imports_no_view() {
    for file in app_files("state", 3) {
        for (line, name) in imports(&std::fs::read_to_string(&file).unwrap()) {
            assert_ne!(name, "views", "{}:{line} imports a view", file.display());
        }
    }
}

/// The app's engine side (`src/host`, what is to run in a Web Worker) imports neither the
/// page's state nor its views, and uses no signal and no browser API: it talks to the page
/// only through what it returns.
#[test]
fn the_apps_host_imports_no_page() {
    for file in app_files("host", 4) {
        let text = std::fs::read_to_string(&file).unwrap();
        for (line, name) in imports(&text) {
            assert!(
                name != "views" && name != "state",
                "{}:{line} imports the page's {name}",
                file.display()
            );
        }
        for (i, l) in text.lines().enumerate() {
            let code = l.split("//").next().unwrap_or("");
            for page in ["leptos", "web_sys", "js_sys", "wasm_bindgen"] {
                assert!(
                    !code.contains(page),
                    "{}:{} uses {page}",
                    file.display(),
                    i + 1
                );
            }
        }
    }
}
