//! Hostile and odd input, and crash safety: bounded time, clear diagnostics,
//! no panic, and a killed build never damages the previous output.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{copy_tree, fixture, run, tree};

fn copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("es"), dir.path());
    dir
}

fn check(root: &Path) -> (i32, String, Duration) {
    let started = Instant::now();
    let (code, _, stderr) = run(root, &["check"]);
    assert!(!stderr.contains("panicked"), "{stderr}");
    (code, stderr, started.elapsed())
}

/// Builds `root` into `root/public`, which must succeed; returns the folder.
fn build_ok(root: &Path) -> std::path::PathBuf {
    let out = root.join("public");
    let (code, _, stderr) = run(root, &["build", "--output", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    out
}

/// Gives Lucía another role and puts `before` at the start of her body text.
fn edit_lucia(root: &Path, role: &str, before: &str) {
    let p = root.join("content/personas/lucia.md");
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(
        &p,
        text.replace("role: Estudiante", &format!("role: {role}"))
            .replace("Pide pizza", &format!("{before}Pide pizza")),
    )
    .unwrap();
}

#[test]
fn a_huge_file_is_refused_without_being_read() {
    let dir = copy();
    let path = dir.path().join("content/journeys/lucia/enorme.md");
    let mut text = String::from("---\ntitle: Enorme\npersona: lucia\nlens: activity\n---\n");
    let line = "Una línea de texto que se repite para llenar el archivo.\n";
    while text.len() < 50 * 1024 * 1024 {
        text.push_str(line);
    }
    std::fs::write(&path, text).unwrap();
    let (code, stderr, took) = check(dir.path());
    assert_eq!(code, 1);
    assert!(stderr.contains("content/journeys/lucia/enorme.md: error: the file is 50 MB; content files may be at most 16 MB [file-too-large]"), "{stderr}");
    assert!(took < Duration::from_secs(20));
}

#[test]
fn ten_thousand_steps_in_one_stage_is_a_warning() {
    let dir = copy();
    let mut text = String::from(
        "---\ntitle: Larga\npersona: lucia\nlens: activity\nstages:\n  - name: Esperar\n    steps:\n",
    );
    for i in 0..10_000 {
        text.push_str(&format!(
            "      - action: Paso {i}\n        emotion: neutro\n"
        ));
    }
    text.push_str("---\n");
    std::fs::write(dir.path().join("content/journeys/lucia/larga.md"), text).unwrap();
    let (code, stderr, took) = check(dir.path());
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("stage `Esperar` has 10000 steps, more than 4 [too-many-steps]"),
        "{stderr}"
    );
    assert!(took < Duration::from_secs(30));
}

#[test]
fn a_toml_bomb_of_nested_tables_is_rejected_quickly() {
    let dir = copy();
    let header: Vec<String> = (0..5000).map(|i| format!("t{i}")).collect();
    let text = format!(
        "+++\nname = \"Bomba\"\n[extra.{}]\nx = 1\n+++\n",
        header.join(".")
    );
    std::fs::write(dir.path().join("content/personas/bomba.md"), text).unwrap();
    let (code, stderr, took) = check(dir.path());
    assert_eq!(code, 1);
    assert!(
        stderr.contains("invalid TOML: values are nested too deeply"),
        "{stderr}"
    );
    assert!(took < Duration::from_secs(10));
}

#[cfg(unix)]
#[test]
fn links_pipes_and_odd_names_are_reported_not_followed() {
    use std::os::unix::ffi::OsStrExt;
    let dir = copy();
    let content = dir.path().join("content");
    // A symlink loop, a link to a file outside the handbook, a FIFO.
    std::os::unix::fs::symlink(&content, content.join("bucle")).unwrap();
    let outside = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(outside.path(), "---\nname: Fuera\n---\n").unwrap();
    std::os::unix::fs::symlink(outside.path(), content.join("personas/fuera.md")).unwrap();
    let fifo = content.join("personas/tubo.md");
    let c = std::ffi::CString::new(fifo.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid path; mkfifo only creates the node.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    // A file name that is not UTF-8.
    let bad = std::ffi::OsStr::from_bytes(b"personas/mal\xff.md");
    std::fs::write(content.join(bad), "---\nname: Mal\n---\n").unwrap();
    let (code, stderr, took) = check(dir.path());
    assert!(
        took < Duration::from_secs(10),
        "no hang on the FIFO or the loop"
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("`content/bucle` is a symbolic link and is not followed [symlink-ignored]"),
        "{stderr}"
    );
    assert!(
        stderr.contains("`content/personas/fuera.md` is a symbolic link and is not followed"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "`content/personas/tubo.md` is not a regular file and is skipped [not-a-file]"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("is not valid UTF-8 [bad-file-name]"),
        "{stderr}"
    );
    assert!(!stderr.contains("Fuera"));
}

#[test]
fn script_in_content_is_never_run() {
    let dir = copy();
    edit_lucia(
        dir.path(),
        "\"<script>alert(1)</script>\"",
        "<script>alert(2)</script> ",
    );
    let out = build_ok(dir.path());
    let html = std::fs::read_to_string(out.join("personas/lucia.html")).unwrap();
    assert!(!html.contains("<script>alert"), "raw script in the page");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("&lt;script&gt;alert(2)&lt;/script&gt;"));
}

#[test]
fn an_unwritable_output_is_a_clear_error_and_nothing_changes() {
    let dir = copy();
    // /proc refuses new folders even to root.
    let (code, _, stderr) = run(dir.path(), &["build", "--output", "/proc/journeydoc-out"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.starts_with("error: cannot write") || stderr.contains("error: cannot write"),
        "{stderr}"
    );
}

#[test]
fn killing_a_build_at_random_moments_never_damages_the_output() {
    let dir = copy();
    // A corpus big enough that a build takes a noticeable time.
    for i in 0..150 {
        let mut text = format!("---\ntitle: Pedido {i}\npersona: lucia\nlens: activity\nstages:\n");
        for s in 0..5 {
            text.push_str(&format!("  - name: Etapa {s}\n    steps:\n"));
            for k in 0..4 {
                text.push_str(&format!("      - action: Paso {s}.{k} del pedido {i}\n        emotion: {}\n        touchpoints: [app]\n        owner: ventas\n", ["feliz", "neutro", ":(", ":D"][k]));
            }
        }
        text.push_str("---\n## Etapa 0\nTexto *con* [enlace](@persona/lucia).\n");
        std::fs::write(
            dir.path()
                .join(format!("content/journeys/lucia/p{i:03}.md")),
            text,
        )
        .unwrap();
    }
    let out = build_ok(dir.path());
    let old = tree(&out);
    // Change the content, so a build that completes gives a different tree.
    let p = dir.path().join("content/journeys/lucia/p000.md");
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, text.replace("title: Pedido 0", "title: Pedido cero")).unwrap();
    let started = Instant::now();
    let (code, _, _) = run(
        dir.path(),
        &[
            "build",
            "--output",
            dir.path().join("timing").to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0);
    let full = started.elapsed().as_millis() as u64;
    let new = tree(&dir.path().join("timing"));
    assert_ne!(new, old);
    let mut seed = 0x9e37_79b9_u64;
    let mut interrupted = 0;
    for _ in 0..20 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let delay = seed % (full + 50);
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("journeydoc"))
            .args([
                "--root",
                dir.path().to_str().unwrap(),
                "build",
                "-q",
                "--output",
                out.to_str().unwrap(),
            ])
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        let finished = child.try_wait().unwrap().is_some();
        let _ = child.kill(); // SIGKILL
        child.wait().unwrap();
        if !finished {
            interrupted += 1;
        }
        let now = tree(&out);
        assert!(!now.is_empty(), "the output is never missing");
        assert!(
            now == old || now == new,
            "the output is the old tree or the complete new one, byte for byte"
        );
        // Whole either way: every file the marker lists is there.
        let marker = String::from_utf8(now[".journeydoc-output"].clone()).unwrap();
        for line in marker.lines().filter(|l| !l.starts_with('#')) {
            assert!(now.contains_key(line), "{line} missing after a kill");
        }
    }
    assert!(
        interrupted >= 5,
        "only {interrupted} of 20 builds were interrupted (a build takes {full} ms)"
    );
    // The next build finishes and leaves no staging folders behind.
    build_ok(dir.path());
    let stray: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("journeydoc-"))
        .collect();
    assert!(stray.is_empty(), "{stray:?}");
    assert_eq!(tree(&out), new);
}

#[test]
fn odd_identifiers_get_a_clear_error_and_unicode_ids_work() {
    let dir = copy();
    let tps = dir.path().join("content/touchpoints");
    let app = std::fs::read_to_string(tps.join("app.md")).unwrap();
    std::fs::write(tps.join("punto de venta.md"), &app).unwrap();
    std::fs::write(tps.join("App.md"), &app).unwrap();
    std::fs::write(tps.join("señal.md"), &app).unwrap();
    std::fs::write(
        tps.join("largo.md"),
        app.replace(
            "+++\nname",
            &format!("+++\nid = \"{}\"\nname", "a".repeat(300)),
        ),
    )
    .unwrap();
    let (code, stderr, _) = check(dir.path());
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("content/touchpoints/punto de venta.md:1:1: error: touchpoint id `punto de venta` has a space [bad-id]"),
        "{stderr}"
    );
    assert!(
        stderr.contains("content/touchpoints/app.md:1:1: error: touchpoint id `app` differs from `App` only in case or accents [id-collision]"),
        "{stderr}"
    );
    let (_, github, _) = run(dir.path(), &["check", "--format", "github"]);
    assert!(github.contains("rename it `punto-de-venta`"), "{github}");
    assert!(
        github.contains("rename this file or `content/touchpoints/App.md`"),
        "{github}"
    );
    assert!(
        stderr
            .contains("has a part longer than 200 bytes (file names are limited to 255) [bad-id]"),
        "{stderr}"
    );
    // Only those three: references to `app` still resolve.
    assert!(stderr.contains(": 3 errors"), "{stderr}");

    // Without the two bad files the Unicode id builds to its own page.
    std::fs::remove_file(tps.join("punto de venta.md")).unwrap();
    std::fs::remove_file(tps.join("App.md")).unwrap();
    std::fs::remove_file(tps.join("largo.md")).unwrap();
    let out = build_ok(dir.path());
    let page = std::fs::read_to_string(out.join("touchpoints/señal.html")).unwrap();
    assert!(page.contains("App de pedidos"), "{page}");
}

#[test]
fn raw_html_in_bodies_follows_allow_html() {
    let dir = copy();
    edit_lucia(dir.path(), "\"<b>Estudiante</b>\"", "<kbd>Ctrl</kbd> ");
    let build = |book: &str| {
        std::fs::write(dir.path().join("book.toml"), book).unwrap();
        std::fs::read_to_string(build_ok(dir.path()).join("personas/lucia.html")).unwrap()
    };
    let book = std::fs::read_to_string(dir.path().join("book.toml")).unwrap();
    let escaped = build(&book);
    assert!(escaped.contains("&lt;kbd&gt;Ctrl&lt;/kbd&gt;"), "{escaped}");
    let allowed = build(&format!("{book}\n[build]\nallow-html = true\n"));
    assert!(allowed.contains("<kbd>Ctrl</kbd> Pide pizza"), "{allowed}");
    // Front matter is text whatever the setting.
    assert!(
        allowed.contains("&lt;b&gt;Estudiante&lt;/b&gt;"),
        "{allowed}"
    );
    assert!(!allowed.contains("<b>Estudiante</b>"), "{allowed}");
}

#[test]
fn a_full_output_disk_is_a_clear_error_and_the_previous_output_stays() {
    let dir = copy();
    let out = build_ok(dir.path());
    let before = tree(&out);
    std::fs::write(
        dir.path().join("content/personas/lucia.md"),
        "---\nname: Lucía\nrole: Otra\n---\nTexto nuevo.\n",
    )
    .unwrap();
    // A file size limit of 4 KB with SIGXFSZ ignored makes every larger write
    // fail with EFBIG, as a full disk fails with ENOSPC.
    let bin = assert_cmd::cargo::cargo_bin("journeydoc");
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -f 8; trap '' XFSZ; exec \"$0\" --root \"$1\" build --output \"$2\"")
        .arg(&bin)
        .arg(dir.path())
        .arg(&out)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("error: cannot write"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(tree(&out), before, "the previous output changed");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("journeydoc-"))
        .collect();
    assert!(leftovers.is_empty(), "left behind: {leftovers:?}");
}
