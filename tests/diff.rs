//! `journeydoc diff`: pairs of handbooks (the Spanish fixture and edited
//! copies), a journeys.json side, and a git revision in a temporary repository.

mod common;

use std::path::Path;
use std::process::Command;

use common::{copy_tree, edit, fixture, run};

fn copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("es"), dir.path());
    dir
}

const J: &str = "content/journeys/lucia/actividad.md";

/// The edit the issue describes: an emotion improved, a pain resolved, a
/// step reworded, a journey added.
fn improved() -> tempfile::TempDir {
    let dir = copy();
    edit(dir.path(), J, |t| {
        t.replace("emotion: \">:(\"", "emotion: neutro")
            .replace("        pain: El pedido llega tarde\n", "")
            .replace("Paga con tarjeta", "Paga con tarjeta de crédito")
    });
    std::fs::write(
        dir.path().join("content/journeys/lucia/goal.md"),
        "---\ntitle: Lucía decide\npersona: lucia\nlens: goal\nstages:\n  - name: Transacción\n    steps:\n      - action: Paga\n        emotion: feliz\n        touchpoints: [app]\n---\n",
    )
    .unwrap();
    dir
}

fn json(old: &Path, new: &Path, extra: &[&str]) -> (i32, serde_json::Value) {
    let mut args = vec![
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let (code, out, err) = run(old, &args);
    (
        code,
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}")),
    )
}

#[test]
fn each_change_is_named_with_its_journey_and_stage() {
    let (old, new) = (copy(), improved());
    let (code, d) = json(old.path(), new.path(), &["--fail-on-regression"]);
    assert_eq!(code, 0, "{d:#}");
    assert_eq!(d["version"], 1);
    assert_eq!(d["summary"]["journeys_changed"], 2);
    let journeys = d["journeys"].as_array().unwrap();
    let a = journeys
        .iter()
        .find(|j| j["id"] == "lucia/actividad")
        .unwrap();
    assert_eq!(a["status"], "changed");
    let steps = a["steps"].as_array().unwrap();
    let reworded = steps.iter().find(|s| s.get("action").is_some()).unwrap();
    assert_eq!(reworded["stage"], "Elegir");
    assert_eq!(reworded["action"]["from"], "Paga con tarjeta");
    assert_eq!(reworded["action"]["to"], "Paga con tarjeta de crédito");
    let wait = steps
        .iter()
        .find(|s| s["step"] == "Espera 50 minutos")
        .unwrap();
    assert_eq!(wait["stage"], "Esperar");
    assert_eq!(wait["emotion"]["from"], -2);
    assert_eq!(wait["emotion"]["to"], 0);
    assert_eq!(wait["emotion"]["from_word"], "enojado");
    assert_eq!(wait["emotion"]["to_word"], "neutro");
    assert_eq!(wait["pain"]["kind"], "resolved");
    assert_eq!(wait["pain"]["from"], "El pedido llega tarde");
    assert!(a["average"]["to"].as_f64().unwrap() > a["average"]["from"].as_f64().unwrap());
    let added = journeys.iter().find(|j| j["id"] == "lucia/goal").unwrap();
    assert_eq!(added["status"], "added");
    assert_eq!(d["coverage"]["filled"][0]["lens"], "goal");
    assert!(d["regressions"].as_array().unwrap().is_empty());
    // Markdown starts with the one-line summary.
    let (_, md, _) = run(
        old.path(),
        &[
            "diff",
            old.path().to_str().unwrap(),
            new.path().to_str().unwrap(),
            "--format",
            "markdown",
        ],
    );
    assert!(
        md.starts_with(
            "**2 journeys changed, 0 gaps opened, 0 closed, average emotion +0.60 → +1.00**\n"
        ),
        "{md}"
    );
    assert!(md.contains("<details>"));
    let (_, text, _) = run(
        old.path(),
        &[
            "diff",
            old.path().to_str().unwrap(),
            new.path().to_str().unwrap(),
        ],
    );
    assert!(
        text.contains(
            "Esperar: \"Espera 50 minutos\": enojado → neutro; pain resolved: El pedido llega tarde"
        ),
        "{text}"
    );
}

#[test]
fn the_reverse_is_a_regression() {
    let (old, new) = (copy(), improved());
    let (code, d) = json(new.path(), old.path(), &["--fail-on-regression"]);
    assert_eq!(code, 1);
    let regressions: Vec<&str> = d["regressions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(
        regressions
            .iter()
            .any(|r| r.contains("lucia/actividad: average emotion dropped")),
        "{regressions:?}"
    );
    assert!(
        regressions
            .iter()
            .any(|r| r.contains("pain added without an opportunity")),
        "{regressions:?}"
    );
    let (code, _) = json(new.path(), old.path(), &[]);
    assert_eq!(code, 0, "without --fail-on-regression it is only a report");
}

#[test]
fn an_opened_handoff_gap_is_a_regression() {
    let old = copy();
    let new = copy();
    edit(new.path(), J, |t| {
        t.replace(
            "emotion: feliz\n        transaction: true",
            "emotion: feliz\n        owner: marketing\n        transaction: true",
        )
    });
    let (code, d) = json(old.path(), new.path(), &["--fail-on-regression"]);
    assert_eq!(code, 1, "{d:#}");
    let opened = d["journeys"][0]["handoff_gaps"]["opened"]
        .as_array()
        .unwrap();
    assert!(
        opened.iter().any(|g| g["from_owner"] == "ventas"
            && g["to_owner"] == "marketing"
            && g["step"] == "Paga con tarjeta"),
        "{opened:?}"
    );
    assert!(d["regressions"].as_array().unwrap().iter().any(|r| {
        r.as_str()
            .unwrap()
            .contains("handoff gap opened ventas → marketing")
    }));
}

#[test]
fn identical_sides_say_no_change() {
    let (old, new) = (copy(), copy());
    let (code, out, _) = run(
        old.path(),
        &[
            "diff",
            old.path().to_str().unwrap(),
            new.path().to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0);
    assert_eq!(out, "No change for the customer.\n");
}

#[test]
fn a_renamed_journey_and_a_journeys_json_side() {
    let old = copy();
    let new = copy();
    std::fs::rename(
        new.path().join("content/journeys/lucia/b2b.md"),
        new.path().join("content/journeys/lucia/evento.md"),
    )
    .unwrap();
    edit(new.path(), J, |t| {
        t.replace("next: [lucia/b2b]", "next: [lucia/evento]")
    });
    // The old side as a journeys.json written by export.
    let model = old.path().join("old.json");
    let (code, _, _) = run(
        old.path(),
        &["export", "--format", "json", "-o", model.to_str().unwrap()],
    );
    assert_eq!(code, 0);
    let (code, d) = json(&model, new.path(), &[]);
    assert_eq!(code, 0, "{d:#}");
    let r = d["journeys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["id"] == "lucia/evento")
        .unwrap();
    assert_eq!(r["status"], "renamed");
    assert_eq!(r["renamed_from"], "lucia/b2b");
}

#[test]
fn a_side_with_errors_exits_1() {
    let (old, new) = (copy(), copy());
    edit(new.path(), J, |t| {
        t.replace("persona: lucia", "persona: lucai")
    });
    let (code, _, err) = run(
        old.path(),
        &[
            "diff",
            old.path().to_str().unwrap(),
            new.path().to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1);
    assert!(err.contains("unknown persona `lucai`"), "{err}");
}

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .args([
            "-c",
            "user.email=t@example.org",
            "-c",
            "user.name=t",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&ok.stderr)
    );
}

/// A git repository with the Spanish fixture committed in its `handbook/`
/// folder: the repository and that folder.
fn committed_fixture() -> (tempfile::TempDir, std::path::PathBuf) {
    let repo = tempfile::tempdir().unwrap();
    let root = repo.path().join("handbook");
    std::fs::create_dir(&root).unwrap();
    copy_tree(&fixture("es"), &root);
    git(repo.path(), &["init", "-q"]);
    git(repo.path(), &["add", "."]);
    git(repo.path(), &["commit", "-q", "-m", "old"]);
    (repo, root)
}

#[test]
fn git_revisions() {
    let (_repo, root) = committed_fixture();
    edit(&root, J, |t| {
        t.replace("emotion: \">:(\"", "emotion: neutro")
    });
    let leftovers = || {
        std::fs::read_dir(std::env::temp_dir())
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with("journeydoc-diff-")
            })
            .count()
    };
    let before = leftovers();
    let (code, out, err) = run(&root, &["diff", "git:HEAD", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let d: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(d["journeys"][0]["steps"][0]["emotion"]["to_word"], "neutro");
    assert!(leftovers() <= before, "the temporary checkout is removed");
    let (code, _, err) = run(&root, &["diff", "git:no-such-branch"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("unknown git revision `no-such-branch`"),
        "{err}"
    );
    let outside = tempfile::tempdir().unwrap();
    copy_tree(&fixture("es"), outside.path());
    let (code, _, err) = run(outside.path(), &["diff", "git:HEAD"]);
    assert_eq!(code, 2);
    assert!(err.contains("not inside a git repository"), "{err}");
}

#[test]
fn a_failing_git_archive_is_exit_2_with_gits_own_message() {
    let (repo, root) = committed_fixture();
    // The commit is there (rev-parse finds it) but one of its files is not:
    // `git archive` fails half-way.
    let blob = Command::new("git")
        .args(["rev-parse", "HEAD:handbook/book.toml"])
        .current_dir(repo.path())
        .output()
        .unwrap();
    let blob = String::from_utf8(blob.stdout).unwrap().trim().to_owned();
    let object = repo
        .path()
        .join(".git/objects")
        .join(&blob[..2])
        .join(&blob[2..]);
    std::fs::remove_file(&object).unwrap();
    let (code, out, err) = run(&root, &["diff", "git:HEAD"]);
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(
        err.contains("cannot read revision `HEAD` from git"),
        "{err}"
    );
    assert!(
        err.contains(&blob),
        "git's own message names the missing object: {err}"
    );
}

const FUTURE: &str = "---\ntitle: Lucía pide una pizza, rediseñado\npersona: lucia\nlens: activity\nstate: futuro\nredesigns: lucia/actividad\nstages:\n  - name: Elegir\n    steps:\n      - action: Abre la app y elige una pizza\n        touchpoints: [app]\n        emotion: \":D\"\n  - name: Esperar\n    steps:\n      - action: Sigue al repartidor en el mapa\n        touchpoints: [repartidor]\n        emotion: feliz\n---\n";

/// Adding a future state adds a journey, but the current experience's
/// figures (touchpoint averages, coverage, the average emotion) stay; a
/// journey that stops being a redesign is a change of state.
#[test]
fn a_future_state_is_a_journey_but_not_the_current_experience() {
    let old = copy();
    let new = copy();
    let f = "content/journeys/lucia/actividad-futura.md";
    std::fs::write(new.path().join(f), FUTURE).unwrap();
    let (code, d) = json(old.path(), new.path(), &[]);
    assert_eq!(code, 0);
    assert_eq!(d["journeys"][0]["id"], "lucia/actividad-futura");
    assert_eq!(d["journeys"][0]["status"], "added");
    assert_eq!(d["touchpoints"], serde_json::json!([]), "{d}");
    assert_eq!(d["coverage"]["filled"], serde_json::json!([]));
    assert_eq!(
        d["summary"]["average_emotion"]["from"],
        d["summary"]["average_emotion"]["to"]
    );

    // The redesign becomes the map of how things are.
    let later = copy();
    std::fs::write(
        later.path().join(f),
        FUTURE.replace("state: futuro\nredesigns: lucia/actividad\n", ""),
    )
    .unwrap();
    let (_, d) = json(new.path(), later.path(), &[]);
    let j = d["journeys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["id"] == "lucia/actividad-futura")
        .expect("the journey changed");
    assert_eq!(j["state"]["from"], "future");
    assert_eq!(j["state"]["to"], "current");
    assert_eq!(j["redesigns"]["from"], "lucia/actividad");
    assert!(j["redesigns"]["to"].is_null());
    let (_, text, _) = run(
        new.path(),
        &[
            "diff",
            new.path().to_str().unwrap(),
            later.path().to_str().unwrap(),
        ],
    );
    assert!(text.contains("state: future → current"), "{text}");
    assert!(text.contains("redesigns: `lucia/actividad` → —"), "{text}");
}

/// A study added to the handbook and a step that starts citing it are
/// changes `diff` names.
#[test]
fn evidence_added_to_a_step_and_a_study_added() {
    let old = copy();
    let new = copy();
    std::fs::create_dir_all(new.path().join("content/research")).unwrap();
    std::fs::write(
        new.path().join("content/research/quejas.md"),
        "---\ntitle: Registro de quejas\nmethod: registros\ndate: 2026-09-30\n---\n",
    )
    .unwrap();
    edit(new.path(), J, |t| {
        t.replace(
            "        pain: El pedido llega tarde\n",
            "        pain: El pedido llega tarde\n        evidence: [quejas]\n",
        )
    });
    let (code, d) = json(old.path(), new.path(), &[]);
    assert_eq!(code, 0);
    assert_eq!(d["research"]["added"], serde_json::json!(["quejas"]));
    let step = d["journeys"][0]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "Espera 50 minutos")
        .expect("the step changed");
    assert_eq!(step["evidence"]["added"], serde_json::json!(["quejas"]));
    let (_, text, _) = run(
        old.path(),
        &[
            "diff",
            old.path().to_str().unwrap(),
            new.path().to_str().unwrap(),
        ],
    );
    assert!(text.contains("study added: quejas"), "{text}");
    assert!(
        text.contains("Esperar: \"Espera 50 minutos\": evidence added: quejas"),
        "{text}"
    );
}
