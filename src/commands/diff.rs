//! `diff OLD [NEW]`: what changed for the customer between two versions of
//! a handbook. A side is a handbook folder, a `journeys.json`, or `git:REV`
//! (the handbook as committed, read from git history into a temporary
//! folder that is removed afterwards).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::{Failure, Outcome, emit, print_errors};
use crate::cli::{Cli, DiffArgs, DiffFormat};

pub(super) fn diff(cli: &Cli, args: &DiffArgs) -> Outcome {
    let new_spec = args
        .new
        .clone()
        .unwrap_or_else(|| cli.root.display().to_string());
    let old = side(&cli.root, &args.old)?;
    let new = side(&cli.root, &new_spec)?;
    let d = crate::diff::diff(&old, &new);
    let text = match args.format {
        DiffFormat::Text => crate::diff::render_text(&d),
        DiffFormat::Markdown => crate::diff::render_markdown(&d),
        DiffFormat::Json => {
            let mut t = serde_json::to_string_pretty(&d).expect("the diff serialises");
            t.push('\n');
            t
        }
    };
    emit(&args.output, text.as_bytes())?;
    let regressions = d["regressions"].as_array().map_or(0, Vec::len);
    if args.fail_on_regression && regressions > 0 {
        eprintln!("{regressions} regressions (--fail-on-regression)");
        return Err(Failure::content(None));
    }
    Ok(())
}

/// The model of one side: `git:REV`, a journeys.json file, or a folder.
fn side(root: &Path, spec: &str) -> Result<serde_json::Value, Failure> {
    if let Some(rev) = spec.strip_prefix("git:") {
        let checkout = Checkout::of(root, rev)?;
        return folder(&checkout.handbook, &format!("git:{rev}"));
    }
    let path = Path::new(spec);
    if path.is_file() {
        let bytes = std::fs::read(path)
            .map_err(|e| Failure::usage(format!("cannot read `{spec}`: {e}")))?;
        let v: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
            Failure::usage(format!("`{spec}` is not a journeys.json: {e}")).help(
                "pass a handbook folder, a journeys.json written by build or export, or git:REV",
            )
        })?;
        if v["version"] != 1 {
            return Err(Failure::usage(format!(
                "`{spec}` is not a version 1 journeys.json"
            )));
        }
        return Ok(v);
    }
    folder(path, spec)
}

/// The model of the handbook in folder `root`, as journeys.json has it.
fn folder(root: &Path, label: &str) -> Result<serde_json::Value, Failure> {
    let run = crate::load(root, &crate::Options::default())
        .map_err(|e| Failure::usage(format!("{label}: {e}")).help_opt(e.help()))?;
    if run.has_errors() {
        eprintln!("error: {label} has content errors:");
        print_errors(&run);
        return Err(Failure::content(None));
    }
    serde_json::from_slice(&crate::interchange::journeys_json(&run.handbook, false))
        .map_err(|e| Failure::usage(format!("{label}: {e}")))
}

/// Runs git in `dir`: its trimmed stdout, or its trimmed stderr.
fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_owned())
    }
}

/// A revision's files in a temporary folder, removed when dropped (also on
/// errors); `handbook` is the folder of the handbook in it.
struct Checkout {
    tmp: PathBuf,
    handbook: PathBuf,
}

impl Drop for Checkout {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.tmp);
    }
}

impl Checkout {
    /// Writes `git archive` of `rev` to a file and unpacks it, each process
    /// waited for and its exit status checked (git's own message on failure).
    fn of(root: &Path, rev: &str) -> Result<Checkout, Failure> {
        let top = git(root, &["rev-parse", "--show-toplevel"]).map_err(|_| {
            Failure::usage(format!("`{}` is not inside a git repository", root.display()))
                .help("`git:REV` reads the handbook from git history; compare folders or journeys.json files instead")
        })?;
        let commit = git(
            root,
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{rev}^{{commit}}"),
            ],
        )
        .map_err(|_| {
            Failure::usage(format!("unknown git revision `{rev}`"))
                .help("use a branch, tag or commit: `git:main`, `git:HEAD~1`")
        })?;
        let prefix = git(root, &["rev-parse", "--show-prefix"]).unwrap_or_default();
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let tmp = std::env::temp_dir().join(format!(
            "journeydoc-diff-{}-{}",
            std::process::id(),
            N.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&tmp)
            .map_err(|e| Failure::usage(format!("cannot create a temporary folder: {e}")))?;
        let checkout = Checkout {
            handbook: tmp.join("tree").join(&prefix),
            tmp,
        };
        let tree = checkout.tmp.join("tree");
        let tar = checkout.tmp.join("rev.tar");
        std::fs::create_dir_all(&tree)
            .map_err(|e| Failure::usage(format!("cannot create a temporary folder: {e}")))?;
        let cannot =
            |what: String| Failure::usage(format!("cannot read revision `{rev}` from git: {what}"));
        // From the top of the repository: `git archive` in a subfolder would
        // archive only that subfolder.
        let tar_arg = tar.to_string_lossy().into_owned();
        git(
            Path::new(&top),
            &["archive", "--format=tar", "--output", &tar_arg, &commit],
        )
        .map_err(cannot)?;
        let unpacked = Command::new("tar")
            .arg("-x")
            .arg("-f")
            .arg(&tar)
            .arg("-C")
            .arg(&tree)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| Failure::usage(format!("cannot run tar: {e}")))?;
        if !unpacked.status.success() {
            return Err(cannot(
                String::from_utf8_lossy(&unpacked.stderr).trim().to_owned(),
            ));
        }
        Ok(checkout)
    }
}
