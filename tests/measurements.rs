//! Measurements over time (SPEC 3): a Spanish handbook the tool has never
//! seen gets a data folder — monthly NPS for a journey, CSAT for two
//! touchpoints (one file saved by a spreadsheet: BOM and CRLF), CES of a
//! step by its `id`, a metric of its own declared in book.toml — and every
//! page shows the latest value, the change and a trend; journeys.json,
//! the CSV export and `diff` carry them. The CSV faults themselves are
//! cases of `tests/check.rs`.

mod common;

use common::{copy_tree, edit, fixture, page, run, select, select_in, text};
use scraper::Html;

/// The Spanish fixture with data: returns its folder.
fn measured() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("es"), dir.path());
    edit(dir.path(), "content/journeys/lucia/actividad.md", |t| {
        t.replace(
            "      - action: Paga con tarjeta\n",
            "      - action: Paga con tarjeta\n        id: pago\n",
        )
    });
    edit(dir.path(), "book.toml", |t| {
        t + "\n[metrics.puntualidad]\ntitle = \"Pedidos a tiempo\"\nunit = \"%\"\nmin = 0\nmax = 100\nbetter = \"higher\"\ntarget = 90\n\n[metrics.nps]\ntarget = 30\n"
    });
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let write = |name: &str, text: &str| std::fs::write(data.join(name), text).unwrap();
    write(
        "nps.csv",
        "date,metric,value,journey,n\n2026-01,nps,10,lucia/actividad,80\n2026-02,nps,12,lucia/actividad,85\n2026-03,nps,15,lucia/actividad,90\n2026-04,nps,14,lucia/actividad,88\n2026-05,nps,18,lucia/actividad,91\n2026-06,nps,22,lucia/actividad,95\n",
    );
    // As a spreadsheet saves it: a BOM, CRLF, columns in another order.
    write(
        "csat.csv",
        "\u{feff}touchpoint,value,metric,date\r\napp,78,csat,2026-05\r\napp,81,csat,2026-06\r\nrepartidor,55,csat,2026-05\r\nrepartidor,52,csat,2026-06\r\n",
    );
    write(
        "ces.csv",
        "date,metric,value,journey,step\n2026-05-31,ces,3.2,lucia/actividad,pago\n2026-06-30,ces,2.8,lucia/actividad,pago\n",
    );
    write(
        "puntualidad.csv",
        "date,metric,value\n2026-05,puntualidad,80\n2026-06,puntualidad,85\n",
    );
    dir
}

/// `(name, value, change, target, date)` of each reading under `css`.
fn readings(doc: &Html, css: &str) -> Vec<[String; 5]> {
    let part = |r: &scraper::ElementRef, css: &str| {
        select_in(r, css).first().map(text).unwrap_or_default()
    };
    select(doc, css)
        .iter()
        .map(|r| {
            [
                part(r, ".reading-name"),
                part(r, ".reading-value"),
                part(r, ".move .visually-hidden"),
                part(r, ".reading-target .visually-hidden")
                    + &part(r, ".reading-target:not(:has(span))"),
                part(r, "time"),
            ]
        })
        .collect()
}

#[test]
fn a_spanish_handbook_with_data_checks_clean_and_shows_latest_change_and_trend() {
    let dir = measured();
    let (code, _, stderr) = run(dir.path(), &["check"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("and 4 data files (14 measurements): 0 errors"),
        "{stderr}"
    );
    let out = dir.path().join("public");
    let (code, _, stderr) = run(dir.path(), &["build"]);
    assert_eq!(code, 0, "{stderr}");

    // The journey: NPS latest, up 4 since May (better), target 30 not met,
    // six months in its trend line, in date order.
    let j = page(&out, "journeys/lucia/actividad.html");
    let head = readings(&j, "header.journey-head .chips li.metric .reading");
    assert_eq!(
        head,
        [[
            "NPS".to_owned(),
            "22".to_owned(),
            "sube 4 desde 2026-05, mejor".to_owned(),
            "objetivo 30, no cumplido".to_owned(),
            "2026-06".to_owned()
        ]]
    );
    let trend = select(&j, "header.journey-head svg.trend")[0];
    assert_eq!(
        text(&select(&j, "header.journey-head svg.trend title")[0]),
        "NPS: 2026-01 10, 2026-02 12, 2026-03 15, 2026-04 14, 2026-05 18, 2026-06 22"
    );
    let points = select_in(&trend, "polyline")[0]
        .value()
        .attr("points")
        .unwrap()
        .to_owned();
    let xs: Vec<f64> = points
        .split(' ')
        .map(|p| p.split(',').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(xs.len(), 6);
    assert!(xs.windows(2).all(|w| w[0] < w[1]), "{points}");

    // The step measured by its id: CES fell from 3.2 to 2.8 — lower is
    // better, so the arrow points down and the change is better.
    let step = readings(&j, ".lane-metrics .reading");
    assert_eq!(step.len(), 1, "{step:?}");
    assert_eq!(step[0][0], "CES");
    assert_eq!(step[0][1], "2.8");
    assert_eq!(step[0][2], "baja 0.4 desde 2026-05-31, mejor");
    let arrow = select(&j, ".lane-metrics .move")[0];
    assert_eq!(arrow.value().attr("class"), Some("move better"));
    assert!(text(&arrow).starts_with("▼ −0.4"), "{}", text(&arrow));

    // Touchpoints, read from a BOM + CRLF file with its columns reordered.
    let app = page(&out, "touchpoints/app.html");
    let r = readings(&app, ".facts .reading");
    assert_eq!(
        r[0][..3],
        [
            "CSAT".to_owned(),
            "81 %".to_owned(),
            "sube 3 desde 2026-05, mejor".to_owned()
        ]
    );
    let rider = readings(
        &page(&out, "touchpoints/repartidor.html"),
        ".facts .reading",
    );
    assert_eq!(rider[0][2], "baja 3 desde 2026-05, peor");

    // The metric of its own: on the home page (the whole handbook) and its page.
    let home = page(&out, "index.html");
    let r = readings(&home, "#measurements .reading");
    assert_eq!(r[0][0], "Pedidos a tiempo");
    assert_eq!(r[0][1], "85 %");
    assert_eq!(r[0][3], "objetivo 90 %, no cumplido");
    let index = page(&out, "metrics/index.html");
    let names: Vec<String> = select(&index, "table.metrics-index tbody th a")
        .iter()
        .map(text)
        .collect();
    assert_eq!(names, ["NPS", "CES", "CSAT", "Pedidos a tiempo"]);
    // A metric's page: every scope, measured or typed by hand (the B2B
    // journey's CSAT), the furthest from its target first (CSAT has none
    // here: in id order, journeys before touchpoints).
    let csat = page(&out, "metrics/csat.html");
    let rows: Vec<String> = select(&csat, "table.readings tbody th a")
        .iter()
        .map(text)
        .collect();
    assert_eq!(
        rows,
        ["Lucía organiza un evento", "App de pedidos", "Repartidor"]
    );
    let nps = page(&out, "metrics/nps.html");
    // Both journeys miss the target 30: the measured 22, the typed 20.
    assert_eq!(select(&nps, "table.readings tbody tr.missed").len(), 2);

    // Insights: off target, furthest first as a share of each range — the
    // B2B journey's typed NPS 20 (10 of 200 short) and the punctuality 85 %
    // (5 of 100) tie at 5 %, in metric order; the measured NPS 22 (8 of
    // 200) next.
    let insights = page(&out, "insights.html");
    let off: Vec<String> = select(&insights, "#off-target tbody th")
        .iter()
        .map(text)
        .collect();
    assert_eq!(off.len(), 3, "{off:?}");
    assert!(off[0].starts_with("Lucía organiza un evento"), "{off:?}");
    assert!(off[1].starts_with("Todo el manual"), "{off:?}");
    assert!(off[2].starts_with("Lucía pide una pizza"), "{off:?}");
    assert!(!select(&insights, "#biggest-moves li").is_empty());

    // journeys.json: each scope's series.
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("journeys.json")).unwrap()).unwrap();
    let series = &json["metrics"]["nps"]["series"][0];
    assert_eq!(series["scope"]["journey"], "lucia/actividad");
    assert_eq!(series["latest"]["date"], "2026-06");
    assert_eq!(series["latest"]["value"], 22.0);
    assert_eq!(series["target"], 30.0);
    assert_eq!(series["points"].as_array().unwrap().len(), 6);
    assert_eq!(series["points"][0]["n"], 80);
    assert_eq!(json["metrics"]["ces"]["series"][0]["scope"]["step"], "pago");
    assert_eq!(json["metrics"]["puntualidad"]["better"], "higher");

    // The CSV export: the step's and the journey's latest values.
    let (code, csv, _) = run(dir.path(), &["export", "--format", "csv"]);
    assert_eq!(code, 0);
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let pay = rows.iter().find(|r| &r[col("step_id")] == "pago").unwrap();
    assert_eq!(&pay[col("metrics")], "ces=2.8");
    assert_eq!(&pay[col("journey_metrics")], "nps=22");
}

#[test]
fn a_metric_typed_by_hand_and_measured_is_a_warning_and_the_measurement_wins() {
    let dir = measured();
    edit(dir.path(), "content/journeys/lucia/actividad.md", |t| {
        t.replacen(
            "lifecycle: buyer\n",
            "lifecycle: buyer\nmetrics: { nps: 5 }\n",
            1,
        )
    });
    let (code, _, stderr) = run(dir.path(), &["check"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("content/journeys/lucia/actividad.md:6:10: warning: NPS is typed here and measured in the data files: the measurement (22 on 2026-06) is shown [metric-twice]"),
        "{stderr}"
    );
    let (code, _, stderr) = run(dir.path(), &["check", "--deny-warnings"]);
    assert_eq!(code, 1, "{stderr}");
}

#[test]
fn diff_reports_the_latest_values_that_moved() {
    let dir = measured();
    let old = tempfile::tempdir().unwrap();
    copy_tree(dir.path(), old.path());
    edit(dir.path(), "data/nps.csv", |t| {
        t + "2026-07,nps,19,lucia/actividad,97\n"
    });
    let (code, out, stderr) = run(dir.path(), &["diff", old.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        out.contains("NPS of journey `lucia/actividad`: 22 (2026-06) → 19 (2026-07), worse"),
        "{out}"
    );
    let (code, out, _) = run(
        dir.path(),
        &["diff", old.path().to_str().unwrap(), "--format", "json"],
    );
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let m = &json["measurements"][0];
    assert_eq!(m["metric"], "nps");
    assert_eq!(m["scope"]["journey"], "lucia/actividad");
    assert_eq!(m["from"]["value"], 22.0);
    assert_eq!(m["to"]["value"], 19.0);
    assert_eq!(m["direction"], "worse");
    // Information, not a regression of the design: `--fail-on-regression`
    // passes.
    let (code, _, _) = run(
        dir.path(),
        &["diff", old.path().to_str().unwrap(), "--fail-on-regression"],
    );
    assert_eq!(code, 0);
}
