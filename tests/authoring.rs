//! `init`, `new`, `export`, `import mermaid` and `schema` end to end.

mod common;

use std::path::Path;
use std::process::Command;

use common::{copy_tree, example, fixture, journeydoc, run};

fn init(dir: &Path, lang: &str) {
    let out = journeydoc(
        Path::new("."),
        &["init", dir.to_str().unwrap(), "--language", lang],
    )
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn init_gives_a_handbook_that_checks_clean_and_builds() {
    for lang in ["en", "es"] {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("handbook");
        init(&root, lang);
        let (code, _, stderr) = run(&root, &["check", "--deny-warnings"]);
        assert_eq!(code, 0, "{lang}: {stderr}");
        assert!(
            stderr.contains("2 personas, 4 touchpoints, 3 journeys"),
            "{stderr}"
        );
        assert!(
            stderr.ends_with(": 0 errors, 0 warnings\n"),
            "{lang}: {stderr}"
        );
        let (code, _, stderr) = run(&root, &["build"]);
        assert_eq!(code, 0, "{lang}: {stderr}");
        let home = std::fs::read_to_string(root.join("public/index.html")).unwrap();
        assert!(home.contains(&format!("<html lang=\"{lang}\">")));
        // Three lenses, emotions, pains and a handoff (that is not a gap).
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(root.join("public/journeys.json")).unwrap())
                .unwrap();
        let lenses: std::collections::BTreeSet<&str> = json["journeys"]
            .as_object()
            .unwrap()
            .values()
            .map(|j| j["lens"].as_str().unwrap())
            .collect();
        assert_eq!(lenses.len(), 3);
        let handoffs: usize = json["handoffs"]
            .as_object()
            .unwrap()
            .values()
            .map(|h| h.as_array().unwrap().len())
            .sum();
        assert!(handoffs > 0);
    }
}

#[test]
fn init_never_overwrites_and_works_in_an_empty_folder() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path(), "en"); // exists and is empty
    let book = dir.path().join("book.toml");
    std::fs::write(&book, "[book]\ntitle = \"Mine\"\n").unwrap();
    let other = tempfile::tempdir().unwrap();
    let out = journeydoc(other.path(), &["init", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("book.toml` already exists"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&book).unwrap(),
        "[book]\ntitle = \"Mine\"\n"
    );
}

#[test]
fn new_files_are_pre_filled_and_never_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("es"), dir.path());
    // lucia/b2b exists in the fixture: it is never overwritten.
    let before = std::fs::read(dir.path().join("content/journeys/lucia/b2b.md")).unwrap();
    let (code, _, stderr) = run(
        dir.path(),
        &["new", "journey", "--persona", "lucia", "--lens", "b2b"],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("already exists"), "{stderr}");
    assert_eq!(
        std::fs::read(dir.path().join("content/journeys/lucia/b2b.md")).unwrap(),
        before
    );
    // A new journey through the custom Spanish lens gets its stages, in order.
    let (code, stdout, stderr) = run(
        dir.path(),
        &["new", "journey", "--persona", "lucia", "--lens", "target"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("journeys/lucia/target.md"), "{stdout}");
    let text =
        std::fs::read_to_string(dir.path().join("content/journeys/lucia/target.md")).unwrap();
    let stages: Vec<&str> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- name: "))
        .collect();
    assert_eq!(
        stages,
        ["\"Adquisición\"", "\"Conversión\"", "\"Retención\""]
    );
    assert!(text.contains("emotion: neutro"));
    let (code, _, stderr) = run(dir.path(), &["check", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    // Bad persona or lens: a usage error with a suggestion.
    let (code, _, stderr) = run(
        dir.path(),
        &["new", "journey", "--persona", "lucai", "--lens", "goal"],
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("unknown persona `lucai`") && stderr.contains("did you mean `lucia`?"),
        "{stderr}"
    );
    let (code, _, stderr) = run(
        dir.path(),
        &["new", "journey", "--persona", "lucia", "--lens", "b2c"],
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("did you mean `b2b`?"), "{stderr}");
    // Persona and touchpoint.
    let (code, stdout, _) = run(dir.path(), &["new", "persona", "ana"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("content/personas/ana.md"));
    let (code, _, _) = run(dir.path(), &["new", "touchpoint", "tienda-centro"]);
    assert_eq!(code, 0);
    let (code, _, stderr) = run(dir.path(), &["new", "persona", "ana"]);
    assert_eq!(code, 2, "{stderr}");
    let (code, _, stderr) = run(dir.path(), &["check"]);
    assert_eq!(code, 0, "new files check: {stderr}");
}

#[test]
fn csv_has_one_row_per_step_and_json_is_journeys_json() {
    let (code, csv_text, stderr) = run(&example(), &["export", "--format", "csv"]);
    assert_eq!(code, 0, "{stderr}");
    let (_, json_text, _) = run(&example(), &["export", "--format", "json"]);
    let model: serde_json::Value = serde_json::from_str(&json_text).unwrap();
    assert_eq!(model["version"], 1);
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "persona");
    assert_eq!(&headers[7], "emotion");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let mut expected = Vec::new();
    for (id, j) in model["journeys"].as_object().unwrap() {
        for stage in j["stages"].as_array().unwrap() {
            for step in stage["steps"].as_array().unwrap() {
                expected.push((
                    id.clone(),
                    stage["name"].as_str().unwrap().to_owned(),
                    step["action"].as_str().unwrap().to_owned(),
                    step["emotion"].to_string(),
                ));
            }
        }
    }
    assert_eq!(rows.len(), expected.len());
    for (row, (id, stage, action, emotion)) in rows.iter().zip(&expected) {
        assert_eq!(
            (&row[2], &row[3], &row[5]),
            (id.as_str(), stage.as_str(), action.as_str())
        );
        let e = if emotion == "null" {
            ""
        } else {
            emotion.as_str()
        };
        assert_eq!(&row[7], e);
    }
    // The same document the build writes (compact there, pretty here).
    let dir = tempfile::tempdir().unwrap();
    let (code, _, _) = run(
        &example(),
        &["build", "--output", dir.path().join("o").to_str().unwrap()],
    );
    assert_eq!(code, 0);
    let built = std::fs::read_to_string(dir.path().join("o/journeys.json")).unwrap();
    assert!(built.len() < json_text.len(), "the site's copy is compact");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&built).unwrap(),
        serde_json::from_str::<serde_json::Value>(&json_text).unwrap()
    );
    // One journey, to a file.
    let out = dir.path().join("one.csv");
    let (code, _, _) = run(
        &example(),
        &[
            "export",
            "--format",
            "csv",
            "carla/activity",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0);
    let n = csv::Reader::from_path(&out).unwrap().records().count();
    assert_eq!(n, 16);
    let (code, _, stderr) = run(&example(), &["export", "--format", "csv", "carla/activty"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("did you mean `carla/activity`?"),
        "{stderr}"
    );
}

#[test]
fn mermaid_round_trip_is_stable_for_every_journey() {
    let (code, all, _) = run(&example(), &["export", "--format", "mermaid"]);
    assert_eq!(code, 0);
    assert_eq!(all.matches("%% journey: ").count(), 14);
    let model: serde_json::Value =
        serde_json::from_str(&run(&example(), &["export", "--format", "json"]).1).unwrap();
    for (id, j) in model["journeys"].as_object().unwrap() {
        let (_, diagram, _) = run(&example(), &["export", "--format", "mermaid", id]);
        assert!(diagram.starts_with("journey\n    title "), "{diagram}");
        // Import into a copy of the handbook without that journey, then export again.
        let dir = tempfile::tempdir().unwrap();
        copy_tree(&example().join("content"), &dir.path().join("content"));
        std::fs::copy(example().join("book.toml"), dir.path().join("book.toml")).unwrap();
        let file = dir.path().join(format!("content/journeys/{id}.md"));
        std::fs::remove_file(&file).unwrap();
        let mmd = dir.path().join("diagram.mmd");
        std::fs::write(&mmd, &diagram).unwrap();
        let persona = j["persona"].as_str().unwrap();
        let lens = j["lens"].as_str().unwrap();
        let (code, _, stderr) = run(
            dir.path(),
            &[
                "import",
                "mermaid",
                mmd.to_str().unwrap(),
                "--persona",
                persona,
                "--lens",
                lens,
                // A future state's file is not `<persona>/<lens>.md`.
                "-o",
                file.to_str().unwrap(),
            ],
        );
        assert_eq!(code, 0, "{id}: {stderr}");
        assert!(file.is_file());
        if j["state"] == "future" {
            // The redesign comes back as one (`%% state`, `%% redesigns`).
            let (_, back, _) = run(dir.path(), &["export", "--format", "json", id]);
            let back: serde_json::Value = serde_json::from_str(&back).unwrap();
            assert_eq!(back["journeys"][id]["state"], "future", "{id}");
            assert_eq!(back["journeys"][id]["redesigns"], j["redesigns"], "{id}");
        }
        let (code, again, stderr) = run(dir.path(), &["export", "--format", "mermaid", id]);
        assert_eq!(code, 0, "{id}: {stderr}");
        assert_eq!(again, diagram, "{id}: round trip");
    }
}

#[test]
fn import_refuses_to_overwrite_and_names_bad_lines() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("es"), dir.path());
    let mmd = dir.path().join("d.mmd");
    std::fs::write(
        &mmd,
        "journey\n  title Pedido\n  section Elegir\n    Abre la app: 5: Ventas, Nadie\n",
    )
    .unwrap();
    let (code, _, stderr) = run(
        dir.path(),
        &["import", "mermaid", mmd.to_str().unwrap(), "--lens", "b2b"],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("already exists"), "{stderr}");
    let out = dir.path().join("content/journeys/lucia/nuevo.md");
    let (code, _, stderr) = run(
        dir.path(),
        &[
            "import",
            "mermaid",
            mmd.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("actor `Nadie` is not a department"),
        "{stderr}"
    );
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("owner: \"ventas\""), "{text}");
    assert!(text.contains("emotion: encantado"), "{text}");
    std::fs::write(&mmd, "journey\n  section A\n    Task without score\n").unwrap();
    let (code, _, stderr) = run(
        dir.path(),
        &[
            "import",
            "mermaid",
            mmd.to_str().unwrap(),
            "-o",
            dir.path().join("x.md").to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1);
    assert!(stderr.contains("d.mmd:3:1: error:"), "{stderr}");
}

/// Enough of JSON Schema to check our front matter: types, properties,
/// required, additionalProperties, items, enum, anyOf, $ref, ranges.
fn valid(
    value: &serde_json::Value,
    schema: &serde_json::Value,
    root: &serde_json::Value,
) -> Result<(), String> {
    use serde_json::Value as V;
    if let Some(r) = schema.get("$ref").and_then(V::as_str) {
        let name = r.trim_start_matches("#/$defs/");
        return valid(value, &root["$defs"][name], root);
    }
    if let Some(any) = schema
        .get("anyOf")
        .or(schema.get("oneOf"))
        .and_then(V::as_array)
    {
        return any
            .iter()
            .any(|s| valid(value, s, root).is_ok())
            .then_some(())
            .ok_or(format!("{value} matches none of {schema}"));
    }
    if let Some(e) = schema.get("enum").and_then(V::as_array) {
        return e
            .contains(value)
            .then_some(())
            .ok_or(format!("{value} not in {e:?}"));
    }
    if let Some(c) = schema.get("const") {
        return (c == value).then_some(()).ok_or(format!("{value} != {c}"));
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(V::String(t)) => vec![t.as_str()],
        Some(V::Array(ts)) => ts.iter().filter_map(V::as_str).collect(),
        _ => vec![],
    };
    let kind = match value {
        V::Null => "null",
        V::Bool(_) => "boolean",
        V::Number(n) if n.is_i64() || n.is_u64() => "integer",
        V::Number(_) => "number",
        V::String(_) => "string",
        V::Array(_) => "array",
        V::Object(_) => "object",
    };
    let allowed = types.is_empty()
        || types.contains(&kind)
        || (kind == "integer" && types.contains(&"number"));
    if !allowed {
        return Err(format!("{value} is {kind}, expected {types:?}"));
    }
    if let (Some(min), Some(n)) = (schema.get("minimum").and_then(V::as_f64), value.as_f64()) {
        if n < min {
            return Err(format!("{n} < {min}"));
        }
    }
    if let (Some(max), Some(n)) = (schema.get("maximum").and_then(V::as_f64), value.as_f64()) {
        if n > max {
            return Err(format!("{n} > {max}"));
        }
    }
    if let V::Object(map) = value {
        let props = schema.get("properties").and_then(V::as_object);
        for req in schema
            .get("required")
            .and_then(V::as_array)
            .into_iter()
            .flatten()
        {
            if !map.contains_key(req.as_str().unwrap()) {
                return Err(format!("missing {req}"));
            }
        }
        for (k, v) in map {
            match props.and_then(|p| p.get(k)) {
                Some(s) => valid(v, s, root).map_err(|e| format!("{k}: {e}"))?,
                None if schema.get("additionalProperties") == Some(&V::Bool(false)) => {
                    return Err(format!("unknown key {k}"));
                }
                None => {}
            }
        }
    }
    if let (V::Array(items), Some(s)) = (value, schema.get("items")) {
        for i in items {
            valid(i, s, root)?;
        }
    }
    Ok(())
}

#[test]
fn the_schema_accepts_every_example_file_and_rejects_a_typo() {
    let schema_of = |kind: &str| -> serde_json::Value {
        let (code, out, _) = run(&example(), &["schema", kind]);
        assert_eq!(code, 0);
        serde_json::from_str(&out).unwrap()
    };
    let mut checked = 0;
    for (folder, kind) in [
        ("personas", "persona"),
        ("touchpoints", "touchpoint"),
        ("journeys", "journey"),
        ("research", "research"),
        ("opportunities", "opportunity"),
    ] {
        let schema = schema_of(kind);
        for entry in walkdir::WalkDir::new(example().join("content").join(folder)) {
            let entry = entry.unwrap();
            if !entry.file_type().is_file() {
                continue;
            }
            let text = std::fs::read_to_string(entry.path()).unwrap();
            let split = journeydoc::source::split(&text).unwrap();
            let front = &text[split.front.clone()];
            let node = match split.format {
                journeydoc::source::Format::Yaml => journeydoc::node::parse_yaml(front, 0),
                journeydoc::source::Format::Toml => journeydoc::node::parse_toml(front, 0),
            }
            .unwrap();
            let value = journeydoc::fields::to_json(&node);
            valid(&value, &schema, &schema)
                .unwrap_or_else(|e| panic!("{}: {e}", entry.path().display()));
            checked += 1;
            if kind == "journey" && checked == 40 {
                let mut bad = value.clone();
                bad["stages"][0]["steps"][0]["emotoin"] = "happy".into();
                assert!(valid(&bad, &schema, &schema).is_err());
            }
        }
    }
    assert_eq!(checked, 5 + 32 + 14 + 13 + 12);
    let (code, all, _) = run(&example(), &["schema"]);
    assert_eq!(code, 0);
    let all: serde_json::Value = serde_json::from_str(&all).unwrap();
    assert_eq!(all["$defs"].as_object().unwrap().len(), 5);
    let (code, _, _) = run(&example(), &["schema", "stage"]);
    assert_eq!(code, 2);
}

#[test]
fn exported_diagrams_parse_with_mermaid_itself_in_chromium() {
    common::install_browser_deps();
    let browser = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("all.mmd");
    let (code, _, _) = run(
        &example(),
        &[
            "export",
            "--format",
            "mermaid",
            "-o",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0);
    // Also the Spanish fixture, and hostile text.
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str(&run(&fixture("es"), &["export", "--format", "mermaid"]).1);
    std::fs::write(&file, text).unwrap();
    let out = Command::new("node")
        .arg(browser.join("mermaid.mjs"))
        .arg(&file)
        .output()
        .expect("node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("\"diagrams\":16,\"failures\":0"),
        "{stdout}"
    );
}

#[test]
fn blueprint_lanes_reach_the_grid_the_exports_and_diff_in_spanish() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("manual");
    init(&root, "es");
    let (code, _, stderr) = run(&root, &["build"]);
    assert_eq!(code, 0, "{stderr}");
    let html = std::fs::read_to_string(root.join("public/journeys/maya/activity.html")).unwrap();
    let doc = scraper::Html::parse_document(&html);
    let rows: Vec<String> = doc
        .select(&scraper::Selector::parse("table.grid tbody th[scope=row]").unwrap())
        .map(|e| e.text().collect::<String>())
        .collect();
    let at = |name: &str| {
        rows.iter()
            .position(|r| r == name)
            .unwrap_or_else(|| panic!("no `{name}` row in {rows:?}"))
    };
    // Blueprint order, in the handbook's language.
    assert!(at("Oportunidades") < at("Línea de interacción"));
    assert!(at("Línea de interacción") < at("En escena"));
    assert!(at("En escena") < at("Línea de visibilidad"));
    assert!(at("Línea de visibilidad") < at("Tras bambalinas"));
    assert!(at("Tras bambalinas") < at("Soporte"));
    assert!(at("Soporte") < at("Responsables"));
    assert!(html.contains("El mecánico anota con ella las averías de la bici"));
    // A journey with no blueprint lanes draws no lines.
    let goal = std::fs::read_to_string(root.join("public/journeys/leo/goal.html")).unwrap();
    assert!(!goal.contains("Línea de interacción"), "no empty lanes");

    // CSV and JSON carry both fields.
    let (code, csv_text, _) = run(&root, &["export", "--format", "csv", "maya/activity"]);
    assert_eq!(code, 0);
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let col = |h: &str| headers.iter().position(|x| x == h).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert!(
        rows.iter()
            .any(|r| &r[col("support")] == "Las piezas se piden al mayorista durante la noche")
    );
    let (_, json_text, _) = run(&root, &["export", "--format", "json"]);
    assert!(json_text.contains("\"frontstage\": \"El mecánico anota"));

    // Mermaid keeps them as comments, and `import mermaid` reads them back.
    let (_, mmd, _) = run(&root, &["export", "--format", "mermaid", "maya/activity"]);
    assert!(
        mmd.contains("%% support: Las piezas se piden al mayorista"),
        "{mmd}"
    );

    // diff: a changed support text is a change.
    let old = dir.path().join("old.json");
    std::fs::write(&old, &json_text).unwrap();
    let file = root.join("content/journeys/maya/activity.md");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replace("durante la noche", "el mismo día")).unwrap();
    let (_, out, stderr) = run(&root, &["diff", old.to_str().unwrap()]);
    assert!(
        out.contains("support:") && out.contains("el mismo día"),
        "{out}\n{stderr}"
    );

    // A misspelt lane is an error naming the field.
    std::fs::write(&file, text.replace("support:", "suport:")).unwrap();
    let (code, _, stderr) = run(&root, &["check"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("`suport`") && stderr.contains("support"),
        "{stderr}"
    );
}

/// Width and height of a PNG, from its IHDR chunk.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG signature");
    assert_eq!(&png[12..16], b"IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&png[16..20]), be(&png[20..24]))
}

/// The `width`/`height` attributes of an SVG's root element.
fn svg_size(svg: &str) -> (u32, u32) {
    let attr = |name: &str| -> u32 {
        let at = svg.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        svg[at..].split('"').next().unwrap().parse().unwrap()
    };
    (attr("width"), attr("height"))
}

#[test]
fn pictures_of_a_map_are_the_same_bytes_twice_and_hold_every_action() {
    let dir = tempfile::tempdir().unwrap();
    let (_, json, _) = run(
        &example(),
        &["export", "--format", "json", "carla/activity"],
    );
    let model: serde_json::Value = serde_json::from_str(&json).unwrap();
    let actions: Vec<String> = model["journeys"]["carla/activity"]["stages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["steps"].as_array().unwrap().clone())
        .map(|s| s["action"].as_str().unwrap().to_owned())
        .collect();
    let mut files = std::collections::BTreeMap::new();
    for format in ["svg", "png", "pdf"] {
        let mut twice = Vec::new();
        for round in 0..2 {
            let out = dir.path().join(format!("map{round}.{format}"));
            let (code, _, stderr) = run(
                &example(),
                &[
                    "export",
                    "--format",
                    format,
                    "carla/activity",
                    "-o",
                    out.to_str().unwrap(),
                ],
            );
            assert_eq!(code, 0, "{format}: {stderr}");
            twice.push(std::fs::read(&out).unwrap());
        }
        assert!(twice[0] == twice[1], "{format}: the same bytes twice");
        files.insert(format, twice.remove(0));
    }
    // The SVG: every action, the blueprint lines, the font embedded.
    let svg = String::from_utf8(files["svg"].clone()).unwrap();
    for a in &actions {
        let first_words: String = a.split_whitespace().take(2).collect::<Vec<_>>().join(" ");
        let shown = svg
            .replace("&#39;", "'")
            .replace("&quot;", "\"")
            .replace("&amp;", "&");
        assert!(shown.contains(&first_words), "`{first_words}` in the SVG");
    }
    assert!(svg.contains(">Line of interaction<") && svg.contains(">Line of visibility<"));
    assert!(svg.contains("@font-face{font-family:\"Noto Sans\""));
    // The PNG at twice the SVG's size.
    let (w, h) = svg_size(&svg);
    assert_eq!(png_size(&files["png"]), (2 * w, 2 * h));
    // The PDF: one page, the font embedded, every action selectable text.
    let pdf = dir.path().join("map0.pdf");
    let info = Command::new("pdfinfo")
        .arg(&pdf)
        .output()
        .expect("pdfinfo (Debian's poppler-utils: apt-get install poppler-utils)");
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(
        info.lines()
            .any(|l| l.starts_with("Pages:") && l.ends_with(" 1")),
        "{info}"
    );
    let fonts = Command::new("pdffonts").arg(&pdf).output().unwrap();
    let fonts = String::from_utf8_lossy(&fonts.stdout);
    assert!(
        fonts.contains("NotoSans-Regular") && fonts.contains("yes yes yes"),
        "{fonts}"
    );
    let text = Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    let text: String = String::from_utf8_lossy(&text.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for a in &actions {
        // Wrapped in its card, an action's words follow one another.
        let words: Vec<&str> = a.split_whitespace().collect();
        assert!(
            words.iter().all(|w| text.contains(w)),
            "`{a}` in the PDF's text"
        );
    }
}

#[test]
fn pictures_refuse_bad_ids_and_paths_and_export_every_journey_into_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run(
        &example(),
        &["export", "--format", "png", "carla/activty", "-o", "x.png"],
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("carla/activity"), "closest id: {stderr}");
    let nowhere = dir.path().join("missing/folder/map.pdf");
    let (code, _, stderr) = run(
        &example(),
        &[
            "export",
            "--format",
            "pdf",
            "carla/activity",
            "-o",
            nowhere.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2);
    assert!(stderr.contains(nowhere.to_str().unwrap()), "{stderr}");
    assert!(!dir.path().join("missing").exists(), "nothing left behind");
    let (code, _, stderr) = run(&example(), &["export", "--format", "svg"]);
    assert_eq!(code, 2, "every journey needs -o DIR: {stderr}");
    assert!(stderr.contains("-o DIR"), "{stderr}");
    // Every journey, one file each, nothing else in the folder.
    let out = dir.path().join("slides");
    let (code, _, stderr) = run(
        &example(),
        &["export", "--format", "svg", "-o", out.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{stderr}");
    let written = common::tree(&out);
    assert_eq!(written.len(), 14, "{:?}", written.keys());
    assert!(written.contains_key("carla/activity.svg"));
}

#[test]
fn a_long_journey_gives_a_wider_picture_not_smaller_text() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("h");
    init(&root, "en");
    let mut text =
        String::from("---\ntitle: Forty steps\npersona: maya\nlens: activity\nstages:\n");
    for stage in 0..8 {
        text.push_str(&format!("  - name: Stage {stage}\n    steps:\n"));
        for step in 0..5 {
            text.push_str(&format!(
                "      - action: Step {step} of stage {stage}, with an action long enough to wrap over several lines\n        emotion: {}\n        frontstage: Staff do something the customer sees\n",
                ["happy", "neutral", "angry"][(stage + step) % 3]
            ));
        }
    }
    text.push_str("---\n");
    std::fs::write(root.join("content/journeys/maya/long.md"), text).unwrap();
    let short = dir.path().join("short.svg");
    let long = dir.path().join("long.svg");
    for (id, out) in [("maya/activity", &short), ("maya/long", &long)] {
        let (code, _, stderr) = run(
            &root,
            &["export", "--format", "svg", id, "-o", out.to_str().unwrap()],
        );
        assert_eq!(code, 0, "{stderr}");
    }
    let short = std::fs::read_to_string(short).unwrap();
    let long = std::fs::read_to_string(long).unwrap();
    assert!(svg_size(&long).0 > 40 * 200, "{:?}", svg_size(&long));
    assert!(svg_size(&long).0 > 5 * svg_size(&short).0);
    let sizes = |svg: &str| -> Vec<f32> {
        svg.split("font-size=\"")
            .skip(1)
            .map(|s| s.split('"').next().unwrap().parse().unwrap())
            .collect()
    };
    let smallest = |svg: &str| sizes(svg).into_iter().fold(f32::MAX, f32::min);
    assert_eq!(smallest(&long), smallest(&short), "the same text sizes");
    assert!(smallest(&long) >= 14.0);
}

/// `new journey --future-of ID`: a copy of the journey beside it, marked as
/// its redesign, that checks clean and builds as a future state; never over
/// an existing file; a future state or an unknown id is refused with help.
#[test]
fn new_future_state_copies_the_journey_as_its_redesign() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("es"), dir.path());
    let (code, out, stderr) = run(dir.path(), &["new", "journey", "--future-of", "lucia/b2b"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        out.contains("content/journeys/lucia/b2b-future.md"),
        "{out}"
    );
    let text =
        std::fs::read_to_string(dir.path().join("content/journeys/lucia/b2b-future.md")).unwrap();
    // TOML as written; the title says what it is; measured metrics stay
    // with the current map.
    assert!(
        text.starts_with("+++\ntitle = \"Lucía organiza un evento (estado futuro)\"\nstate = \"future\"\nredesigns = \"lucia/b2b\"\n"),
        "{text}"
    );
    assert!(!text.contains("metrics = { nps"), "{text}");
    assert!(text.contains("action = \"Pide 20 pizzas\""), "{text}");
    let (code, _, stderr) = run(dir.path(), &["check"]);
    assert_eq!(code, 0, "{stderr}");
    let (_, json, _) = run(
        dir.path(),
        &["export", "--format", "json", "lucia/b2b-future"],
    );
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["journeys"]["lucia/b2b-future"]["state"], "future");
    // A second one takes the next free name; the first is left alone.
    let (code, out, _) = run(dir.path(), &["new", "journey", "--future-of", "lucia/b2b"]);
    assert_eq!(code, 0);
    assert!(out.contains("b2b-future-2.md"), "{out}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("content/journeys/lucia/b2b-future.md")).unwrap(),
        text
    );
    let (code, _, stderr) = run(
        dir.path(),
        &["new", "journey", "--future-of", "lucia/b2b-future"],
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("`lucia/b2b-future` is a future state itself"),
        "{stderr}"
    );
    assert!(stderr.contains("--future-of lucia/b2b"), "{stderr}");
    let (code, _, stderr) = run(
        dir.path(),
        &["new", "journey", "--future-of", "lucia/actividd"],
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("did you mean `lucia/actividad`?"),
        "{stderr}"
    );
}

/// A future state's picture draws its current journey's curve dashed under
/// its own and names it in the title block; a current journey's has none.
#[test]
fn a_future_states_picture_shows_both_curves() {
    let (code, svg, stderr) = run(
        &example(),
        &["export", "--format", "svg", "carla/activity-future"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        svg.matches("<line class=\"before\"").count() >= 10,
        "dashed segments"
    );
    assert!(svg.contains("stroke-dasharray=\"9 7\""));
    assert!(
        svg.contains("Current state, dashed line: Carla buys a backpack for her hike (+0.6)"),
        "the legend in words"
    );
    let (_, current, _) = run(&example(), &["export", "--format", "svg", "carla/activity"]);
    assert!(!current.contains("class=\"before\""));
}

/// YAML text as JSON (anchors and aliases expanded, as GitHub reads them).
fn yaml(text: &str) -> serde_json::Value {
    serde_saphyr::from_str(text).unwrap_or_else(|e| panic!("not YAML: {e}\n{text}"))
}

/// Runs a workflow step's `run` script with bash in `dir`, this build's
/// journeydoc first on PATH (the install step is what puts it there).
fn run_step(dir: &Path, script: &str, env: &[(&str, &str)]) -> std::process::Output {
    let bin = assert_cmd::cargo::cargo_bin("journeydoc");
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new("bash")
        .args(["-eo", "pipefail", "-c", script])
        .current_dir(dir)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .output()
        .unwrap()
}

#[test]
fn init_writes_a_workflow_that_installs_a_release_and_never_overwrites_one() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("handbook");
    init(&root, "en");
    let text = std::fs::read_to_string(root.join(".github/workflows/handbook.yml")).unwrap();
    assert!(!text.contains("--path"), "{text}");
    let w = yaml(&text);
    assert_eq!(w["env"]["JOURNEYDOC_VERSION"], env!("CARGO_PKG_VERSION"));
    let steps = |job: &str| -> Vec<serde_json::Value> {
        w["jobs"][job]["steps"].as_array().unwrap().clone()
    };
    let runs = |job: &str| -> Vec<String> {
        steps(job)
            .iter()
            .filter_map(|s| s["run"].as_str().map(str::to_owned))
            .collect()
    };
    for job in ["check-and-build", "diff"] {
        let install = &runs(job)[0];
        assert!(
            install.contains("releases/download/v${JOURNEYDOC_VERSION}/journeydoc-x86_64-unknown-linux-gnu.tar.xz"),
            "{install}"
        );
        assert!(
            install.contains("cargo install --locked journeydoc --version \"$JOURNEYDOC_VERSION\""),
            "{install}"
        );
    }
    let build = runs("check-and-build");
    assert_eq!(build[1], "journeydoc check --format github");
    assert_eq!(build[2], "journeydoc build --output public");
    let upload = steps("check-and-build")
        .into_iter()
        .find(|s| s["uses"] == "actions/upload-pages-artifact@v3")
        .unwrap();
    assert_eq!(upload["if"], "github.ref == 'refs/heads/main'");
    assert_eq!(
        w["jobs"]["deploy"]["steps"][0]["uses"],
        "actions/deploy-pages@v4"
    );
    let diff = runs("diff");
    assert!(diff[1].starts_with(
        "journeydoc diff \"git:origin/${{ github.base_ref }}\" --format markdown -o diff.md"
    ));
    assert!(diff[2].contains("gh pr comment"));
    // Its commands, with this build's journeydoc on PATH, work on the new
    // handbook (the install step is what would put a release there).
    for script in &build[1..] {
        let out = run_step(&root, script, &[]);
        assert!(
            out.status.success(),
            "{script}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(root.join("public/index.html").is_file());

    // A workflow already there is kept as it was; the handbook is written.
    let other = tempfile::tempdir().unwrap();
    let mine = other.path().join(".github/workflows/handbook.yml");
    std::fs::create_dir_all(mine.parent().unwrap()).unwrap();
    std::fs::write(&mine, "name: ours\n").unwrap();
    let out = journeydoc(Path::new("."), &["init", other.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("handbook.yml as it was"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&mine).unwrap(), "name: ours\n");
    assert!(other.path().join("book.toml").is_file());
}

#[test]
fn the_action_installs_the_crate_version_and_runs_the_installed_binary() {
    let text = std::fs::read_to_string(example().join("action.yml")).unwrap();
    let a = yaml(&text);
    assert_eq!(a["runs"]["using"], "composite");
    assert_eq!(a["inputs"]["version"]["default"], env!("CARGO_PKG_VERSION"));
    for input in ["version", "command", "args"] {
        assert!(a["inputs"][input].is_object(), "{input}");
    }
    let steps = a["runs"]["steps"].as_array().unwrap();
    let install = steps[0]["run"].as_str().unwrap();
    assert!(
        install.contains("cargo install --locked journeydoc --version \"$JOURNEYDOC_VERSION\"")
    );
    assert!(install.contains("x86_64-unknown-linux-gnu"));
    assert!(!text.contains("--path"));
    // It downloads what the release packaging (cargo-dist) builds.
    let dist: toml::Table =
        toml::from_str(&std::fs::read_to_string(example().join("dist-workspace.toml")).unwrap())
            .unwrap();
    let targets: Vec<&str> = dist["dist"]["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    for t in &targets {
        assert!(
            install.contains(&format!("target={t}")),
            "{t} in action.yml"
        );
    }
    assert_eq!(targets.len(), 5);
    // The command step, run as the runner would, with the inputs in its
    // environment: the installed binary checks a handbook.
    let command = &steps[1];
    assert_eq!(
        command["env"]["JOURNEYDOC_COMMAND"],
        "${{ inputs.command }}"
    );
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("es"), dir.path());
    let out = run_step(
        dir.path(),
        command["run"].as_str().unwrap(),
        &[
            ("JOURNEYDOC_COMMAND", "check"),
            ("JOURNEYDOC_ARGS", "--format github --deny-warnings"),
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The fixture has a handoff gap: a warning, denied.
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        format!("{stdout}{stderr}").contains("::warning file="),
        "{stdout}{stderr}"
    );
    // Arguments are not evaluated by the shell.
    let out = run_step(
        dir.path(),
        command["run"].as_str().unwrap(),
        &[
            ("JOURNEYDOC_COMMAND", "check"),
            ("JOURNEYDOC_ARGS", "$(touch pwned)"),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(!dir.path().join("pwned").exists());
}
