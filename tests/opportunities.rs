//! The opportunity portfolio (SPEC 3 "Opportunities", SPEC 6): a Spanish
//! handbook the tool has never seen gets opportunity files (YAML and TOML,
//! Spanish statuses) named by its steps and a future state; `check` is
//! clean, the portfolio's matrix links and places every scored one, each
//! opportunity's page lists the steps that name it, the maps link them with
//! their status, and `diff` names a status change. The faults themselves
//! are cases of `tests/check.rs`.

mod common;

use common::{copy_tree, edit, fixture, page, run, select, select_in, text};

/// Writes `text` to `rel` under `root`, making its folder.
fn write(root: &std::path::Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// The Spanish fixture with a portfolio: returns its folder.
fn portfolio() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    copy_tree(&fixture("es"), root);
    let o = "content/opportunities";
    write(
        root,
        &format!("{o}/avisar-retrasos.md"),
        "---\ntitle: Avisar de los retrasos\nstatus: en curso\nowner: reparto\nimpact: 5\neffort: 2\nlink: https://tareas.example/PED-7\n---\nUn mensaje en la app cuando el pedido va tarde.\n",
    );
    write(
        root,
        &format!("{o}/pedido-empresa.md"),
        "---\ntitle: Pedidos de empresa en la web\nstatus: Idea\nowner: ventas\nimpact: 5\neffort: 2\n---\n",
    );
    write(
        root,
        &format!("{o}/horno-nuevo.md"),
        "---\ntitle: Un horno más rápido\nstatus: planificada\nowner: cocina\nimpact: 4\neffort: 5\n---\n",
    );
    write(
        root,
        &format!("{o}/menu-claro.md"),
        "+++\ntitle = \"Un menú más claro\"\nstatus = \"hecha\"\nowner = \"marketing\"\nimpact = 2\neffort = 1\n+++\nLos ingredientes de cada pizza, a la vista.\n",
    );
    write(
        root,
        &format!("{o}/dron.md"),
        "---\ntitle: Reparto con dron\nstatus: descartada\nimpact: 1\neffort: 5\n---\n",
    );
    write(
        root,
        &format!("{o}/encuesta.md"),
        "---\ntitle: Encuesta tras la entrega\n---\n",
    );
    edit(root, "content/journeys/lucia/actividad.md", |t| {
        t.replace(
            "        emotion: \":D\"\n",
            "        emotion: \":D\"\n        pain: No encuentra los ingredientes\n        opportunities: [menu-claro]\n",
        )
        .replace(
            "        transaction: true\n",
            "        transaction: true\n        pain: El pago falla a veces\n",
        )
        .replace(
            "        pain: El pedido llega tarde\n",
            "        pain: El pedido llega tarde\n        opportunities: [avisar-retrasos, horno-nuevo]\n",
        )
        .replace(
            "Introducción.",
            "Introducción: ver [el aviso](@opportunity/avisar-retrasos).",
        )
    });
    edit(root, "content/journeys/lucia/b2b.md", |t| {
        t.replace(
            "touchpoints = [\"app\"]\n",
            "touchpoints = [\"app\"]\nopportunities = [\"pedido-empresa\"]\n",
        )
    });
    write(
        root,
        "content/journeys/lucia/actividad-futura.md",
        "---\ntitle: Lucía pide una pizza, rediseñado\npersona: lucia\nlens: activity\nstate: futuro\nredesigns: lucia/actividad\nrealises: [avisar-retrasos]\nstages:\n  - name: Esperar\n    steps:\n      - action: Recibe un aviso del retraso\n        touchpoints: [app]\n        emotion: neutral\n---\n",
    );
    dir
}

#[test]
fn a_spanish_portfolio_checks_clean_and_warns_only_about_the_unnamed_one() {
    let dir = portfolio();
    let (code, _, stderr) = run(dir.path(), &["check"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("6 opportunities"), "{stderr}");
    assert!(stderr.contains(" 0 errors"), "{stderr}");
    let unnamed: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("[unaddressed-opportunity]"))
        .collect();
    // The dropped one is history: no warning.
    assert_eq!(
        unnamed,
        [
            "content/opportunities/encuesta.md:1:1: warning: no step names opportunity `encuesta` [unaddressed-opportunity]"
        ]
    );
    let (code, _, _) = run(dir.path(), &["check", "--deny-warnings"]);
    assert_eq!(code, 1);
}

#[test]
fn the_matrix_links_and_places_every_scored_opportunity() {
    let dir = portfolio();
    let (code, _, stderr) = run(dir.path(), &["build"]);
    assert_eq!(code, 0, "{stderr}");
    let out = dir.path().join("public");
    let doc = page(&out, "opportunities/index.html");
    assert_eq!(text(&select(&doc, "h1")[0]), "Cartera de oportunidades");
    let marks = select(&doc, "svg.matrix a.opportunity-mark");
    let placed: Vec<(String, String, String, String)> = marks
        .iter()
        .map(|a| {
            let v = a.value();
            (
                v.attr("href").unwrap().to_owned(),
                v.attr("data-quadrant").unwrap().to_owned(),
                v.attr("data-impact").unwrap().to_owned(),
                v.attr("data-effort").unwrap().to_owned(),
            )
        })
        .collect();
    let mut hrefs: Vec<&str> = placed.iter().map(|p| p.0.as_str()).collect();
    hrefs.sort();
    // Every opportunity with both scores; the unscored one is listed under
    // the matrix instead.
    assert_eq!(
        hrefs,
        [
            "avisar-retrasos.html",
            "dron.html",
            "horno-nuevo.html",
            "menu-claro.html",
            "pedido-empresa.html"
        ]
    );
    for (href, quadrant, _, _) in &placed {
        let want = match href.as_str() {
            "avisar-retrasos.html" | "pedido-empresa.html" => "quick-win",
            "horno-nuevo.html" => "big-bet",
            "menu-claro.html" => "fill-in",
            _ => "reconsider",
        };
        assert_eq!(quadrant, want, "{href}");
        assert!(out.join("opportunities").join(href).is_file(), "{href}");
    }
    // Two on one cell (impact 5, effort 2): both markers and titles drawn,
    // one under the other.
    let same_cell: Vec<(f64, String)> = marks
        .iter()
        .filter(|a| a.value().attr("data-impact") == Some("5"))
        .map(|a| {
            let c = select_in(a, "circle")[0];
            (
                c.value().attr("cy").unwrap().parse().unwrap(),
                text(&select_in(a, "text.mark-title")[0]),
            )
        })
        .collect();
    assert_eq!(same_cell.len(), 2);
    assert!(
        (same_cell[0].0 - same_cell[1].0).abs() >= 18.0,
        "{same_cell:?}"
    );
    let titles: Vec<&str> = same_cell.iter().map(|c| c.1.as_str()).collect();
    // Long titles are cut to fit their cell; the whole title is the
    // marker's tooltip.
    assert!(titles.contains(&"Pedidos de empresa en…"), "{titles:?}");
    assert!(titles.contains(&"Avisar de los retrasos"), "{titles:?}");
    let quadrants: Vec<String> = select(&doc, "svg.matrix .quadrant-name")
        .iter()
        .map(text)
        .collect();
    assert_eq!(
        quadrants,
        [
            "Victorias rápidas",
            "Grandes apuestas",
            "Tareas menores",
            "Reconsiderar"
        ]
    );
    assert_eq!(
        select(&doc, ".unplaced a")
            .iter()
            .map(text)
            .collect::<Vec<_>>(),
        ["Encuesta tras la entrega"]
    );
    // The list, by status as work moves, each row with its owner and the
    // pain it addresses.
    let groups: Vec<String> = select(&doc, "section.status-group h2 .status")
        .iter()
        .map(text)
        .collect();
    assert_eq!(
        groups,
        ["Idea", "Planificada", "En curso", "Hecha", "Descartada"]
    );
    let row = select(&doc, "#status-in-progress table.portfolio tbody tr")[0];
    let cells: Vec<String> = select_in(&row, "td").iter().map(text).collect();
    assert_eq!(cells[1], "Avisar de los retrasos");
    assert_eq!(cells[2], "Reparto");
    assert_eq!((cells[3].as_str(), cells[4].as_str()), ("5", "2"));
    assert_eq!(cells[5], "Victorias rápidas");
    assert_eq!(cells[6], "1");
    assert_eq!(cells[8], "El pedido llega tarde");
    // The numbers of the list are the matrix's.
    let number = &cells[0];
    let mark = marks
        .iter()
        .find(|a| a.value().attr("href") == Some("avisar-retrasos.html"))
        .unwrap();
    assert_eq!(&text(&select_in(mark, "text.mark-number")[0]), number);
}

#[test]
fn each_opportunity_page_lists_the_steps_that_name_it() {
    let dir = portfolio();
    let (code, _, stderr) = run(dir.path(), &["build"]);
    assert_eq!(code, 0, "{stderr}");
    let out = dir.path().join("public");
    let doc = page(&out, "opportunities/avisar-retrasos.html");
    let rows: Vec<Vec<String>> = select(&doc, "table.addressed tbody tr")
        .iter()
        .map(|r| select_in(r, "td").iter().map(text).collect())
        .collect();
    assert_eq!(
        rows,
        [[
            "Esperar",
            "Espera 50 minutos",
            "enojado",
            "El pedido llega tarde"
        ]]
    );
    let step = select(&doc, "table.addressed tbody tr a")[0];
    assert_eq!(
        step.value().attr("href"),
        Some("../journeys/lucia/actividad.html#step-2-1")
    );
    let chips: Vec<String> = select(&doc, "ul.chips li").iter().map(text).collect();
    assert!(chips.contains(&"Estado En curso".to_owned()), "{chips:?}");
    assert!(
        chips.contains(&"Responsable Reparto".to_owned()),
        "{chips:?}"
    );
    assert!(
        chips.contains(&"Tarea https://tareas.example/PED-7".to_owned()),
        "{chips:?}"
    );
    let futures: Vec<String> = select(&doc, "#realised-by a").iter().map(text).collect();
    assert_eq!(futures, ["Lucía pide una pizza, rediseñado"]);
    // In progress: no "done, but still hurting" note.
    assert!(select(&doc, ".note.hurting").is_empty());

    // Done, but the pain it names is still on the current map.
    let done = page(&out, "opportunities/menu-claro.html");
    let note = select(&done, ".note.hurting");
    assert_eq!(note.len(), 1);
    assert!(
        text(&note[0]).contains("Hecha, pero los dolores que nombra siguen en los mapas actuales")
    );
    let portfolio = page(&out, "opportunities/index.html");
    assert_eq!(select(&portfolio, "#status-done .tag.hurting").len(), 1);

    // Named by no step.
    let unnamed = page(&out, "opportunities/encuesta.html");
    assert!(text(&select(&unnamed, "#steps")[0]).contains("Ningún paso la nombra todavía."));
}

#[test]
fn maps_insights_and_home_show_the_opportunities() {
    let dir = portfolio();
    let (code, _, stderr) = run(dir.path(), &["build"]);
    assert_eq!(code, 0, "{stderr}");
    let out = dir.path().join("public");
    let map = page(&out, "journeys/lucia/actividad.html");
    let links: Vec<(String, Option<String>)> =
        select(&map, "tr.lane-opportunity ul.opportunity-links li")
            .iter()
            .map(|li| {
                let a = select_in(li, "a")[0];
                (text(li), a.value().attr("href").map(str::to_owned))
            })
            .collect();
    assert_eq!(
        links,
        [
            (
                "Un menú más claro Hecha".to_owned(),
                Some("../../opportunities/menu-claro.html".to_owned())
            ),
            (
                "Avisar de los retrasos En curso".to_owned(),
                Some("../../opportunities/avisar-retrasos.html".to_owned())
            ),
            (
                "Un horno más rápido Planificada".to_owned(),
                Some("../../opportunities/horno-nuevo.html".to_owned())
            ),
        ]
    );
    // `@opportunity/…` in a body is a link to its page.
    assert!(select(&map, "a").iter().any(|a| a.value().attr("href")
        == Some("../../opportunities/avisar-retrasos.html")
        && text(a) == "el aviso"));

    // A future state's header links what it realises, with the status.
    let future = page(&out, "journeys/lucia/actividad-futura.html");
    let realises = select(&future, ".state-line .realises a");
    assert_eq!(realises.len(), 1);
    assert_eq!(text(&realises[0]), "Avisar de los retrasos");
    assert_eq!(
        realises[0].value().attr("href"),
        Some("../../opportunities/avisar-retrasos.html")
    );

    let insights = page(&out, "insights.html");
    let pains: Vec<String> = select(
        &insights,
        "#pains-without-opportunity tbody tr td:nth-child(5)",
    )
    .iter()
    .map(text)
    .collect();
    assert_eq!(pains, ["El pago falla a veces"]);
    let by_status: Vec<String> = select(&insights, "#opportunities-by-status li")
        .iter()
        .map(text)
        .collect();
    assert_eq!(
        by_status[0],
        "Idea 2: Pedidos de empresa en la web · Encuesta tras la entrega"
    );
    assert_eq!(by_status.len(), 5);

    let home = page(&out, "index.html");
    let figures: Vec<String> = select(&home, ".figures a").iter().map(text).collect();
    assert!(
        figures.iter().any(|f| f == "4Oportunidades abiertas"),
        "{figures:?}"
    );
    assert!(
        figures
            .iter()
            .any(|f| f == "1Puntos de dolor sin oportunidad"),
        "{figures:?}"
    );
    let nav: Vec<String> = select(&home, "nav.sections a").iter().map(text).collect();
    assert!(nav.contains(&"Oportunidades".to_owned()), "{nav:?}");
}

#[test]
fn exports_carry_the_portfolio() {
    let dir = portfolio();
    let (code, json, stderr) = run(dir.path(), &["export", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let o = &json["opportunities"]["avisar-retrasos"];
    assert_eq!(o["status"], "in-progress");
    assert_eq!(o["owner"], "reparto");
    assert_eq!(
        (o["impact"].as_u64(), o["effort"].as_u64()),
        (Some(5), Some(2))
    );
    assert_eq!(json["opportunities"]["encuesta"]["status"], "idea");
    let step = &json["journeys"]["lucia/actividad"]["stages"][1]["steps"][0];
    assert_eq!(
        step["opportunities"],
        serde_json::json!(["avisar-retrasos", "horno-nuevo"])
    );
    let (code, csv, _) = run(dir.path(), &["export", "--format", "csv"]);
    assert_eq!(code, 0);
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let col = headers.iter().position(|h| h == "opportunities").unwrap();
    let cells: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[col].to_owned())
        .filter(|c| !c.is_empty())
        .collect();
    assert!(
        cells.contains(&"avisar-retrasos=in-progress; horno-nuevo=planned".to_owned()),
        "{cells:?}"
    );
    let (code, schema, _) = run(dir.path(), &["schema", "opportunity"]);
    assert_eq!(code, 0);
    let schema: serde_json::Value = serde_json::from_str(&schema).unwrap();
    assert_eq!(schema["properties"]["impact"]["maximum"], 5);
}

#[test]
fn diff_names_a_status_change_and_an_unlinked_step() {
    let dir = portfolio();
    let old = tempfile::tempdir().unwrap();
    copy_tree(dir.path(), old.path());
    edit(
        dir.path(),
        "content/opportunities/avisar-retrasos.md",
        |t| t.replace("status: en curso", "status: hecha"),
    );
    edit(dir.path(), "content/journeys/lucia/actividad.md", |t| {
        t.replace(
            "opportunities: [avisar-retrasos, horno-nuevo]",
            "opportunities: [avisar-retrasos]",
        )
    });
    let old_path = old.path().to_str().unwrap();
    let (code, out, stderr) = run(dir.path(), &["diff", old_path]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        out.contains(
            "opportunity Avisar de los retrasos (`avisar-retrasos`): status in-progress → done"
        ),
        "{out}"
    );
    assert!(
        out.contains("Esperar: \"Espera 50 minutos\": opportunities removed: horno-nuevo"),
        "{out}"
    );
    let (code, md, _) = run(dir.path(), &["diff", old_path, "--format", "markdown"]);
    assert_eq!(code, 0);
    assert!(
        md.contains(
            "- opportunity Avisar de los retrasos (`avisar-retrasos`): status in-progress → done\n"
        ),
        "{md}"
    );
    let (code, json, _) = run(dir.path(), &["diff", old_path, "--format", "json"]);
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let changed = &json["opportunities"]["changed"][0];
    assert_eq!(changed["id"], "avisar-retrasos");
    assert_eq!(changed["status"]["from"], "in-progress");
    assert_eq!(changed["status"]["to"], "done");
    assert_eq!(json["changed"], true);
}

#[test]
fn new_opportunity_writes_a_file_that_checks() {
    let dir = portfolio();
    let (code, _, stderr) = run(dir.path(), &["new", "opportunity", "pago-seguro"]);
    assert_eq!(code, 0, "{stderr}");
    let text =
        std::fs::read_to_string(dir.path().join("content/opportunities/pago-seguro.md")).unwrap();
    assert!(text.contains("status: idea\n"), "{text}");
    assert!(text.contains("opportunities: [pago-seguro]"), "{text}");
    let (code, _, stderr) = run(dir.path(), &["check"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("no step names opportunity `pago-seguro`"),
        "{stderr}"
    );
    // Never over an existing file.
    let (code, _, _) = run(dir.path(), &["new", "opportunity", "pago-seguro"]);
    assert_eq!(code, 2);
}
