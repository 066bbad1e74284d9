//! `journeydoc lsp` driven over stdio by a small test client, as an
//! editor drives it: initialize, open, change, ask, shut down, exit. On a
//! copy of the Spanish fixture (a handbook the server has never seen) and
//! of the example handbook.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(30);

struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Value>,
    /// Notifications and server requests seen while waiting for something else.
    seen: Vec<Value>,
    next_id: i64,
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

impl Client {
    fn start(dir: &Path) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_journeydoc"))
            .arg("lsp")
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start journeydoc lsp");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut length = 0usize;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let l = line.trim();
                    if l.is_empty() {
                        break;
                    }
                    if let Some(v) = l.strip_prefix("Content-Length:") {
                        length = v.trim().parse().expect("length");
                    }
                }
                let mut body = vec![0; length];
                r.read_exact(&mut body).expect("body");
                let v: Value = serde_json::from_slice(&body).expect("the server writes JSON");
                if tx.send(v).is_err() {
                    return;
                }
            }
        });
        Client {
            stdin: child.stdin.take(),
            child,
            incoming: rx,
            seen: Vec::new(),
            next_id: 0,
        }
    }

    fn raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).expect("write");
        stdin.flush().expect("flush");
    }

    fn send(&mut self, v: Value) {
        let text = v.to_string();
        self.raw(format!("Content-Length: {}\r\n\r\n{text}", text.len()).as_bytes());
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and waits for its response (the whole message).
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait(|m| m.get("id") == Some(&json!(id)) && m.get("method").is_none())
    }

    fn result(&mut self, method: &str, params: Value) -> Value {
        let r = self.request(method, params);
        assert!(r.get("error").is_none(), "{method} failed: {r}");
        r["result"].clone()
    }

    /// Waits for a message matching `f` (kept messages first).
    fn wait(&mut self, f: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.seen.iter().position(&f) {
            return self.seen.remove(i);
        }
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let m = self
                .incoming
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("nothing matching arrived; seen {:#?}", self.seen));
            if f(&m) {
                return m;
            }
            self.seen.push(m);
        }
    }

    /// The next diagnostics published for `uri` that satisfy `f`.
    fn diagnostics(&mut self, uri: &str, f: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let m = self.wait(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && f(m["params"]["diagnostics"].as_array().map_or(&[], |v| v))
        });
        m["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    fn initialize(&mut self, root: &Path) -> Value {
        let r = self.result(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri(root),
                "capabilities": {"workspace": {"workspaceEdit": {
                    "documentChanges": true, "resourceOperations": ["create", "rename", "delete"]
                }}}
            }),
        );
        self.notify("initialized", json!({}));
        r
    }

    fn open(&mut self, path: &Path, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri(path), "languageId": "markdown", "version": 1, "text": text}}),
        );
    }

    fn change(&mut self, path: &Path, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri(path), "version": version}, "contentChanges": [{"text": text}]}),
        );
    }

    fn at(
        &mut self,
        method: &str,
        path: &Path,
        (line, character): (u32, u32),
        extra: Value,
    ) -> Value {
        let mut params = json!({"textDocument": {"uri": uri(path)}, "position": {"line": line, "character": character}});
        if let (Some(p), Some(e)) = (params.as_object_mut(), extra.as_object()) {
            p.extend(e.clone());
        }
        self.result(method, params)
    }

    /// `shutdown`, `exit`, and the exit code.
    fn finish(mut self) -> i32 {
        assert_eq!(self.result("shutdown", Value::Null), Value::Null);
        self.notify("exit", Value::Null);
        self.exit_code()
    }

    fn exit_code(&mut self) -> i32 {
        drop(self.stdin.take());
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.code().expect("exit code");
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// (line, character) of the `nth` occurrence of `needle` in `text`, plus
/// `delta` characters (ASCII lines).
fn pos(text: &str, needle: &str, delta: u32) -> (u32, u32) {
    let i = text
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not in the text"));
    let line = text[..i].matches('\n').count() as u32;
    let col = (i - text[..i].rfind('\n').map_or(0, |n| n + 1)) as u32;
    (line, col + delta)
}

/// A range as ((line, character), (line, character)).
type Span = ((u64, u64), (u64, u64));

fn range(v: &Value) -> Span {
    let p = |p: &Value| {
        (
            p["line"].as_u64().unwrap(),
            p["character"].as_u64().unwrap(),
        )
    };
    (p(&v["start"]), p(&v["end"]))
}

fn spanish() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    common::copy_tree(&common::fixture("es"), dir.path());
    let journey = dir.path().join("content/journeys/lucia/actividad.md");
    (dir, journey)
}

#[test]
fn a_spanish_handbook_from_a_misspelt_touchpoint_to_a_rename() {
    let (dir, journey) = spanish();
    let text = std::fs::read_to_string(&journey).unwrap();
    let mut c = Client::start(dir.path());
    let init = c.initialize(dir.path());
    assert_eq!(init["serverInfo"]["name"], "journeydoc");

    // A misspelt touchpoint: an error on its line, at the id, with the
    // suggestion.
    let typo = text.replacen("touchpoints: [app]", "touchpoints: [apq]", 1);
    c.open(&journey, &typo);
    let diags = c.diagnostics(&uri(&journey), |d| !d.is_empty());
    let d = diags
        .iter()
        .find(|d| d["code"] == "unknown-touchpoint")
        .unwrap_or_else(|| panic!("no unknown-touchpoint in {diags:#?}"));
    let (line, col) = pos(&typo, "[apq]", 1);
    assert_eq!(
        range(&d["range"]),
        ((line as u64, col as u64), (line as u64, col as u64 + 3))
    );
    assert_eq!(d["severity"], 1);
    assert!(d["message"].as_str().unwrap().contains("`app`"), "{d}");
    assert!(
        d["relatedInformation"][0]["message"]
            .as_str()
            .unwrap()
            .contains("`app`"),
        "{d}"
    );

    // Fixed in the editor (not on disk), as an incremental change of those
    // three characters: the error goes.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&journey), "version": 2}, "contentChanges": [{
            "range": {"start": {"line": line, "character": col}, "end": {"line": line, "character": col + 3}},
            "text": "app"
        }]}),
    );
    c.diagnostics(&uri(&journey), |d| {
        d.iter().all(|d| d["code"] != "unknown-touchpoint")
    });
    assert_eq!(
        std::fs::read_to_string(&journey).unwrap(),
        text,
        "the file on disk is not written"
    );

    // Completion inside `touchpoints: [`: the handbook's touchpoints, named.
    let half = text.replacen("touchpoints: [app]", "touchpoints: [", 1);
    c.change(&journey, 3, &half);
    let at = pos(&half, "touchpoints: [", 14);
    let items = c.at("textDocument/completion", &journey, at, json!({}));
    let labels: Vec<(&str, &str)> = items["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["label"].as_str().unwrap(),
                i["detail"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        labels,
        [("app", "App de pedidos"), ("repartidor", "Repartidor")]
    );
    c.change(&journey, 4, &text);

    // Hover names the touchpoint; definition opens its file.
    let on_app = pos(&text, "[app]", 2);
    let hover = c.at("textDocument/hover", &journey, on_app, json!({}));
    let shown = hover["contents"]["value"].as_str().unwrap();
    assert!(
        shown.contains("**App de pedidos**") && shown.contains("Ventas"),
        "{shown}"
    );
    let def = c.at("textDocument/definition", &journey, on_app, json!({}));
    assert_eq!(
        def["uri"],
        uri(&dir.path().join("content/touchpoints/app.md"))
    );

    // References: every step that names it, in every journey.
    let refs = c.at(
        "textDocument/references",
        &journey,
        on_app,
        json!({"context": {"includeDeclaration": false}}),
    );
    let expected = every("app", dir.path());
    let got: Vec<(String, Span)> = refs
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["uri"].as_str().unwrap().to_owned(), range(&l["range"])))
        .collect();
    assert_eq!(got, expected);

    // Rename: every reference edited, the file (its id is its name) moved.
    let edit = c.at(
        "textDocument/rename",
        &journey,
        on_app,
        json!({"newName": "app-pedidos"}),
    );
    let ops = edit["documentChanges"].as_array().unwrap();
    let mut edited = Vec::new();
    for op in ops.iter().filter(|o| o.get("textDocument").is_some()) {
        for e in op["edits"].as_array().unwrap() {
            assert_eq!(e["newText"], "app-pedidos");
            edited.push((
                op["textDocument"]["uri"].as_str().unwrap().to_owned(),
                range(&e["range"]),
            ));
        }
    }
    edited.sort();
    assert_eq!(edited, expected);
    let moved = ops
        .iter()
        .find(|o| o["kind"] == "rename")
        .expect("a file rename");
    assert_eq!(
        moved["oldUri"],
        uri(&dir.path().join("content/touchpoints/app.md"))
    );
    assert_eq!(
        moved["newUri"],
        uri(&dir.path().join("content/touchpoints/app-pedidos.md"))
    );

    assert_eq!(c.finish(), 0);
}

/// Every reference to touchpoint `id` in the fixture's journeys (YAML
/// `touchpoints: [a, b]` and TOML `touchpoints = ["a"]` lines), found by
/// reading the files: (uri, range of the id).
fn every(id: &str, root: &Path) -> Vec<(String, Span)> {
    let mut out = Vec::new();
    let is_id = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    for name in ["actividad", "b2b"] {
        let path = root.join(format!("content/journeys/lucia/{name}.md"));
        let text = std::fs::read_to_string(&path).unwrap();
        for (n, line) in text.lines().enumerate() {
            if !line.trim_start().starts_with("touchpoints") {
                continue;
            }
            for (i, _) in line.match_indices(id) {
                let before = line[..i].chars().next_back().is_some_and(is_id);
                let after = line[i + id.len()..].chars().next().is_some_and(is_id);
                if !before && !after && i > line.find('[').unwrap_or(usize::MAX) {
                    let c = i as u64;
                    out.push((uri(&path), ((n as u64, c), (n as u64, c + id.len() as u64))));
                }
            }
        }
    }
    out.sort();
    assert!(
        out.len() >= 3,
        "the fixture names `{id}` in both journeys: {out:?}"
    );
    out
}

fn labels(items: &Value) -> Vec<String> {
    items["items"]
        .as_array()
        .expect("a completion list")
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_owned())
        .collect()
}

/// A copy of the example handbook (book.toml, content, data).
fn example() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for part in ["content", "data"] {
        let from = common::example().join(part);
        if from.is_dir() {
            common::copy_tree(&from, &dir.path().join(part));
        }
    }
    std::fs::copy(
        common::example().join("book.toml"),
        dir.path().join("book.toml"),
    )
    .unwrap();
    dir
}

#[test]
fn the_example_handbook_completes_what_a_journey_needs() {
    let dir = example();
    let journey = dir.path().join("content/journeys/carla/activity.md");
    let text = std::fs::read_to_string(&journey).unwrap();
    let run = journeydoc::load(dir.path(), &journeydoc::Options { drafts: true }).unwrap();
    let h = &run.handbook;
    let mut c = Client::start(dir.path());
    c.initialize(dir.path());
    c.open(&journey, &text);
    c.diagnostics(&uri(&journey), |_| true);

    // A strict lens's stages, in order, in the handbook's language.
    let engagement = dir.path().join("content/journeys/carla/engagement.md");
    let e_text = std::fs::read_to_string(&engagement).unwrap();
    c.open(&engagement, &e_text);
    let at = pos(&e_text, "- name: Interest", 8);
    let items = c.at("textDocument/completion", &engagement, at, json!({}));
    assert_eq!(labels(&items), h.lenses["engagement"].stages);
    let first = &items["items"][0]["textEdit"];
    assert_eq!(first["newText"], h.lenses["engagement"].stages[0]);
    let (l, ch) = (at.0 as u64, at.1 as u64);
    assert_eq!(
        range(&first["range"]),
        ((l, ch), (l, ch + 8)),
        "replaces `Interest`"
    );
    let n = h.lenses["engagement"].stages.len();
    let i = h.lenses["engagement"].stage_index("Interest").unwrap();
    let shown = c.at(
        "textDocument/hover",
        &engagement,
        (at.0, at.1 + 2),
        json!({}),
    );
    let shown = shown["contents"]["value"].as_str().unwrap();
    assert!(
        shown.starts_with(&format!("Stage {} of {n} of the *Engagement* lens", i + 1)),
        "{shown}"
    );
    // A free lens: the stage names its other journeys use.
    let at = pos(&text, "- name: Compare", 8);
    let got = labels(&c.at("textDocument/completion", &journey, at, json!({})));
    let mut used: Vec<String> = Vec::new();
    for j in h.journeys.values().filter(|j| j.lens.value == "activity") {
        for s in &j.stages {
            if !used.contains(&s.name.value) {
                used.push(s.name.value.clone());
            }
        }
    }
    assert_eq!(got, used);

    // Emotions: the five words with their scores, and emoticons.
    let at = pos(&text, "emotion: happy", 9);
    let items = c.at("textDocument/completion", &journey, at, json!({}));
    let got = labels(&items);
    for w in [
        "delighted",
        "happy",
        "neutral",
        "frustrated",
        "angry",
        ":)",
        ":(",
    ] {
        assert!(got.contains(&w.to_owned()), "{w} in {got:?}");
    }
    let happy = items["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "happy")
        .unwrap();
    assert_eq!(happy["detail"], "+1");

    // Field names of a step on a new line inside it; of the journey at the top.
    let blank = text.replacen(
        "        owner: marketing\n",
        "        owner: marketing\n        \n",
        1,
    );
    c.change(&journey, 2, &blank);
    let at = pos(&blank, "owner: marketing\n", 0);
    let step_keys = labels(&c.at(
        "textDocument/completion",
        &journey,
        (at.0 + 1, 8),
        json!({}),
    ));
    assert_eq!(step_keys, journeydoc::parse::keys::STEP);
    let top = blank.replacen("lifecycle: buyer\n", "lifecycle: buyer\nper\n", 1);
    c.change(&journey, 3, &top);
    let at = pos(&top, "\nper\n", 4);
    let items = c.at(
        "textDocument/completion",
        &journey,
        (at.0 + 1, 3),
        json!({}),
    );
    let top_keys = labels(&items);
    assert!(top_keys.contains(&"persona".to_owned()) && top_keys.contains(&"stages".to_owned()));
    assert!(
        !top_keys.contains(&"touchpoints".to_owned()),
        "{top_keys:?}"
    );
    let persona = items["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "persona")
        .unwrap();
    assert_eq!(persona["textEdit"]["newText"], "persona: ");
    c.change(&journey, 4, &text);

    // Studies and opportunities by id, each with its title.
    let at = pos(&text, "evidence: [checkout-usability]", 11);
    let items = c.at("textDocument/completion", &journey, at, json!({}));
    let research: Vec<&String> = h.research.keys().collect();
    assert_eq!(labels(&items).iter().collect::<Vec<_>>(), research);
    assert_eq!(
        items["items"][0]["detail"].as_str(),
        Some(h.research.values().next().unwrap().title.as_str())
    );
    let at = pos(&text, "opportunities: [recognise", 16);
    let ids = labels(&c.at("textDocument/completion", &journey, at, json!({})));
    assert_eq!(ids, h.opportunities.keys().cloned().collect::<Vec<_>>());

    // `@kind/` links in the body.
    let body = format!("{text}\nSee @touchpoint/\n");
    c.change(&journey, 5, &body);
    let line = body.lines().count() as u32 - 1;
    let items = c.at("textDocument/completion", &journey, (line, 16), json!({}));
    assert_eq!(
        labels(&items),
        h.touchpoints.keys().cloned().collect::<Vec<_>>()
    );
    assert!(
        items["items"][0]["textEdit"]["newText"]
            .as_str()
            .unwrap()
            .starts_with("touchpoint/")
    );
    c.change(&journey, 6, &text);

    // Hover: a stage's place in its lens, an emotion's score, a persona.
    let hover = |c: &mut Client, needle: &str, delta: u32| {
        let at = pos(&text, needle, delta);
        let h = c.at("textDocument/hover", &journey, at, json!({}));
        h["contents"]["value"].as_str().unwrap_or("").to_owned()
    };
    assert!(hover(&mut c, "emotion: happy", 10).starts_with("**happy**: +1"));
    let carla = &h.personas["carla"];
    assert!(hover(&mut c, "persona: carla", 10).contains(&format!("**{}**", carla.name)));

    // The outline: stages, each with its steps.
    let symbols = c.result(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri(&journey)}}),
    );
    let j = &h.journeys["carla/activity"];
    let names: Vec<&str> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    let stages: Vec<&str> = j.stages.iter().map(|s| s.name.value.as_str()).collect();
    assert_eq!(names, stages);
    let steps: Vec<usize> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["children"].as_array().unwrap().len())
        .collect();
    assert_eq!(
        steps,
        j.stages.iter().map(|s| s.steps.len()).collect::<Vec<_>>()
    );
    assert_eq!(
        symbols[0]["children"][0]["name"],
        j.stages[0].steps[0].action
    );

    // References of an opportunity: the steps that name it.
    let at = pos(&text, "opportunities: [recognise", 17);
    let refs = c.at(
        "textDocument/references",
        &journey,
        at,
        json!({"context": {"includeDeclaration": true}}),
    );
    let files: Vec<&str> = refs
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["uri"].as_str().unwrap())
        .collect();
    assert_eq!(
        files[0],
        uri(&dir
            .path()
            .join("content/opportunities/recognise-returning-visitors.md"))
    );
    assert!(files.contains(&uri(&journey).as_str()));
    assert_eq!(c.finish(), 0);
}

fn error_code(r: &Value) -> i64 {
    r["error"]["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("not an error: {r}"))
}

#[test]
fn bad_messages_get_errors_and_the_server_stays_up() {
    let (dir, journey) = spanish();
    let mut c = Client::start(dir.path());

    // Before `initialize`: refused.
    assert_eq!(
        error_code(&c.request("textDocument/hover", json!({}))),
        -32002
    );
    // Not JSON; JSON that is no message; a header that is not one.
    c.raw(b"Content-Length: 5\r\n\r\nhello");
    let r = c.wait(|m| m.get("error").is_some());
    assert_eq!((error_code(&r), &r["id"]), (-32700, &Value::Null));
    c.raw(b"Content-Length: 9\r\n\r\n{\"foo\":1}");
    assert_eq!(error_code(&c.wait(|m| m.get("error").is_some())), -32600);
    c.raw(b"garbage\r\n\r\n");
    assert_eq!(error_code(&c.wait(|m| m.get("error").is_some())), -32700);

    c.initialize(dir.path());
    assert_eq!(
        error_code(&c.request("textDocument/frobnicate", json!({}))),
        -32601
    );
    assert_eq!(
        error_code(&c.request("textDocument/hover", json!(5))),
        -32602
    );

    // A file outside any handbook: opened, asked about, no answer, no crash.
    let elsewhere = tempfile::tempdir().unwrap();
    let loose = elsewhere.path().join("notes.md");
    c.open(&loose, "---\ntouchpoints: [\n---\n");
    assert_eq!(
        c.at("textDocument/completion", &loose, (1, 14), json!({})),
        Value::Null
    );

    // A half-typed journey: the error check gives, and completion still works.
    let half = "---\ntitle: Nuevo\npersona: lu";
    let new = dir.path().join("content/journeys/lucia/nuevo.md");
    c.open(&new, half);
    let d = c.diagnostics(&uri(&new), |d| !d.is_empty());
    assert!(
        d.iter().any(|d| d["code"] == "unterminated-front-matter"),
        "{d:#?}"
    );
    let items = c.at("textDocument/completion", &new, (2, 11), json!({}));
    assert_eq!(labels(&items), ["lucia"]);

    // A 50 MB document: one diagnostic, and the server answers on.
    let mut big = String::from("---\ntitle: Grande\n---\n");
    while big.len() < 50 << 20 {
        big.push_str("Una línea de texto que se repite para hacer un archivo enorme.\n");
    }
    let huge = dir.path().join("content/grande.md");
    c.open(&huge, &big);
    let d = c.diagnostics(&uri(&huge), |d| !d.is_empty());
    assert_eq!(d[0]["code"], "file-too-large");
    let hover = c.at("textDocument/hover", &journey, (0, 0), json!({}));
    assert!(hover.is_null() || hover.is_object());

    // `exit` without `shutdown`: exit code 1, as the protocol says.
    c.notify("exit", Value::Null);
    assert_eq!(c.exit_code(), 1);
}

#[test]
fn renaming_a_touchpoint_file_shows_errors_in_the_journeys_that_use_it() {
    let (dir, journey) = spanish();
    let text = std::fs::read_to_string(&journey).unwrap();
    let mut c = Client::start(dir.path());
    c.initialize(dir.path());
    c.open(&journey, &text);
    c.diagnostics(&uri(&journey), |d| {
        d.iter().all(|d| d["code"] != "unknown-touchpoint")
    });
    let tp = dir.path().join("content/touchpoints");
    std::fs::rename(tp.join("app.md"), tp.join("app-movil.md")).unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [
            {"uri": uri(&tp.join("app.md")), "type": 3},
            {"uri": uri(&tp.join("app-movil.md")), "type": 1}
        ]}),
    );
    // The open journey and the one that is not open both get the error.
    let b2b = dir.path().join("content/journeys/lucia/b2b.md");
    for file in [&journey, &b2b] {
        let d = c.diagnostics(&uri(file), |d| {
            d.iter().any(|d| d["code"] == "unknown-touchpoint")
        });
        let d = d
            .iter()
            .find(|d| d["code"] == "unknown-touchpoint")
            .unwrap();
        assert!(
            d["message"].as_str().unwrap().contains("`app-movil`"),
            "{d}"
        );
    }
    // Renamed back: the errors are cleared, file by file.
    std::fs::rename(tp.join("app-movil.md"), tp.join("app.md")).unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&tp.join("app.md")), "type": 1}]}),
    );
    c.diagnostics(&uri(&b2b), |d| d.is_empty());
    assert_eq!(c.finish(), 0);
}

#[test]
fn the_vscode_extension_starts_a_working_server() {
    let manifest = common::example().join("editors/vscode/package.json");
    let package: Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    let main = package["main"].as_str().unwrap();
    assert!(
        manifest.parent().unwrap().join(main).is_file(),
        "{main} is missing"
    );
    let events = package["activationEvents"].as_array().unwrap();
    assert!(
        events.contains(&json!("workspaceContains:**/book.toml")),
        "{events:?}"
    );
    assert!(package["dependencies"]["vscode-languageclient"].is_string());

    // Activated with stand-ins for VS Code's modules: what it starts.
    let out = Command::new("node")
        .arg(common::example().join("tests/editors/vscode-activate.js"))
        .env("JOURNEYDOC_PATH", env!("CARGO_BIN_EXE_journeydoc"))
        .output()
        .expect("node (Node.js) is needed for this test");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(seen["started"], true);
    assert_eq!(seen["args"], json!(["lsp"]));
    assert_eq!(seen["documents"][0]["language"], "markdown");
    assert!(seen["watch"].as_str().unwrap().contains("book.toml"));

    // That command, started as VS Code would, checks a Spanish handbook.
    let (dir, journey) = spanish();
    assert_eq!(seen["command"], env!("CARGO_BIN_EXE_journeydoc"));
    let mut c = Client::start(dir.path());
    c.initialize(dir.path());
    let text =
        std::fs::read_to_string(&journey)
            .unwrap()
            .replacen("emotion: feliz", "emotion: felix", 1);
    c.open(&journey, &text);
    let d = c.diagnostics(&uri(&journey), |d| !d.is_empty());
    assert!(
        d.iter()
            .any(|d| d["message"].as_str().unwrap().contains("`feliz`")),
        "{d:#?}"
    );
    assert_eq!(c.finish(), 0);
}

#[test]
fn an_editor_that_cannot_rename_files_gets_an_id_line_instead() {
    let (dir, journey) = spanish();
    let text = std::fs::read_to_string(&journey).unwrap();
    let mut c = Client::start(dir.path());
    // No workspaceEdit capabilities: plain `changes`, no file operations.
    c.result(
        "initialize",
        json!({"processId": null, "rootUri": uri(dir.path()), "capabilities": {}}),
    );
    c.notify("initialized", json!({}));
    c.open(&journey, &text);
    c.diagnostics(&uri(&journey), |_| true);
    let on_app = pos(&text, "[app]", 1);
    let edit = c.at(
        "textDocument/rename",
        &journey,
        on_app,
        json!({"newName": "app-pedidos"}),
    );
    let changes = edit["changes"].as_object().expect("changes");
    let mut edited: Vec<(String, Span)> = Vec::new();
    let app = uri(&dir.path().join("content/touchpoints/app.md"));
    for (file, list) in changes {
        for e in list.as_array().unwrap() {
            if *file == app {
                // The TOML touchpoint gets its id written after `+++`.
                assert_eq!(range(&e["range"]), ((1, 0), (1, 0)));
                assert_eq!(e["newText"], "id = \"app-pedidos\"\n");
            } else {
                assert_eq!(e["newText"], "app-pedidos");
                edited.push((file.clone(), range(&e["range"])));
            }
        }
    }
    assert!(changes.contains_key(&app), "{edit}");
    edited.sort();
    assert_eq!(edited, every("app", dir.path()));
    // An id that cannot be one is refused with the reason.
    let r = c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": uri(&journey)}, "position": {"line": on_app.0, "character": on_app.1}, "newName": "app pedidos"}),
    );
    assert_eq!(error_code(&r), -32602);
    assert!(
        r["error"]["message"].as_str().unwrap().contains("space"),
        "{r}"
    );
    assert_eq!(c.finish(), 0);
}
