//! `journeydoc build` end to end: what a reader sees on each page kind
//! (asserted with CSS selectors), links, determinism and output safety.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{copy_tree, example, fixture, journeydoc, page, run, select, select_in, text, tree};
use scraper::{Html, Selector};

fn build_into(root: &Path, out: &Path) -> (i32, String) {
    let (code, _, stderr) = run(root, &["build", "--output", out.to_str().unwrap()]);
    (code, stderr)
}

/// Builds the example handbook once per test run, for every test that only reads it.
fn built_example() -> ((), PathBuf) {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    let out = BUILT.get_or_init(|| {
        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("example-site");
        let (code, stderr) = build_into(&example(), &out);
        assert_eq!(code, 0, "{stderr}");
        out
    });
    ((), out.clone())
}

#[test]
fn every_page_kind_is_there() {
    let (_dir, out) = built_example();
    for path in [
        "index.html",
        "404.html",
        "insights.html",
        "personas/index.html",
        "personas/carla.html",
        "journeys/index.html",
        "journeys/carla/activity.html",
        "lenses/index.html",
        "lenses/b2b.html",
        "lenses/activity.html",
        "touchpoints/index.html",
        "touchpoints/call-centre.html",
        "systems/index.html",
        "systems/order-management.html",
        "guide/how-to-map-a-journey.html",
        "glossary.html",
        "sitemap.xml",
        "journeys.json",
        "search/index.js",
        "search/d-0.js",
        "schema/journey.json",
        "schema/persona.json",
        "schema/touchpoint.json",
        "schema/research.json",
        "research/index.html",
        "research/call-centre-logs.html",
        "schema/opportunity.json",
        "opportunities/index.html",
        "opportunities/link-guest-orders.html",
        "static/style.css",
        "static/search.js",
        "static/highlight.css",
    ] {
        assert!(out.join(path).is_file(), "{path} missing");
    }
    let home = page(&out, "index.html");
    assert_eq!(select(&home, "html")[0].value().attr("lang"), Some("en"));
    let nav: Vec<String> = select(&home, "nav.sections a").iter().map(text).collect();
    assert_eq!(
        nav,
        [
            "Home",
            "Personas",
            "Journeys",
            "Lenses",
            "Touchpoints",
            "Systems",
            "Research",
            "Opportunities",
            "Metrics",
            "Insights",
            "Guides"
        ]
    );
}

#[test]
fn journey_page_shows_the_map_as_a_grid_with_an_svg_curve() {
    let (_dir, out) = built_example();
    let doc = page(&out, "journeys/carla/activity.html");
    // The sideways-scrolling map takes keyboard focus and is named.
    let map = select(&doc, "div.map")[0].value();
    assert_eq!(map.attr("tabindex"), Some("0"));
    assert_eq!(map.attr("role"), Some("region"));
    assert!(map.attr("aria-label").unwrap().starts_with("Journey map"));
    let stages: Vec<String> = select(&doc, "tr.lane-stage th.stage .stage-name")
        .iter()
        .map(text)
        .collect();
    assert_eq!(
        stages,
        [
            "Discover",
            "Compare",
            "Buy",
            "Receive",
            "Get help",
            "Class day"
        ]
    );
    let actions = select(&doc, "tr.lane-action .step");
    assert_eq!(actions.len(), 16, "one column per step");
    assert!(text(&actions[0]).starts_with("Reads an online review"));
    // What a screen reader needs to say "Buy, <action>, Emotion: happy":
    // each action heads its column, each stage its columns' group, each
    // lane its row.
    assert_eq!(select(&doc, "tr.lane-action th[scope=col]").len(), 16);
    let spans: usize = select(&doc, "table.grid > colgroup[span]")
        .iter()
        .map(|c| c.value().attr("span").unwrap().parse::<usize>().unwrap())
        .sum();
    assert_eq!(spans, 16, "the stages' column groups cover every step");
    assert_eq!(
        select(&doc, "table.grid > colgroup[span]").len(),
        stages.len()
    );
    for row in select(&doc, "table.grid tbody tr") {
        let first = row.children().find_map(scraper::ElementRef::wrap).unwrap();
        assert_eq!(
            (first.value().name(), first.value().attr("scope")),
            ("th", Some("row")),
            "every lane is named by a row header"
        );
    }
    for lane in [
        "touchpoints",
        "thinking",
        "emotion",
        "pain",
        "opportunity",
        "owner",
        "backstage",
    ] {
        assert_eq!(
            select(&doc, &format!("tr.lane-{lane}")).len(),
            1,
            "lane {lane}"
        );
    }
    // The touchpoint lane links to touchpoint pages.
    let tp = select(&doc, "tr.lane-touchpoints td a");
    assert_eq!(
        tp[0].value().attr("href"),
        Some("../../touchpoints/review-site.html")
    );
    // The SVG: one point per rated step, accessible name, drawn at build time.
    let svg = select(&doc, "tr.lane-emotion svg.curve");
    assert_eq!(svg.len(), 1);
    assert!(
        svg[0]
            .value()
            .attr("aria-label")
            .unwrap()
            .contains("Carla buys a backpack")
    );
    assert!(select(&doc, "svg.curve title").len() > 1);
    let points = select(&doc, "svg.curve circle.point");
    let words = select(&doc, "tr.lane-emotion-words td .emo");
    assert_eq!(points.len(), words.len());
    assert!(points.len() >= 14, "{}", points.len());
    // The wrong colour is angry: the lowest level of the curve.
    let angry: Vec<_> = points
        .iter()
        .filter(|p| p.value().attr("data-score") == Some("-2"))
        .collect();
    assert!(!angry.is_empty());
    assert_eq!(angry[0].value().attr("cy"), Some("104"));
    // Handoffs are marked, and the sales → logistics one is a gap.
    assert!(!select(&doc, "tr.lane-owner td.handoff-gap").is_empty());
    assert!(
        select(&doc, "tr.lane-owner td.handoff-gap .handoff-mark")
            .iter()
            .any(|e| e
                .value()
                .attr("title")
                .is_some_and(|t| t.contains("Sales → Logistics")))
    );
    // Key transaction and drop-off marks; the text table fallback; metrics:
    // NPS measured monthly in data/nps.csv (latest, change, target, trend,
    // date), CES and CSAT typed by hand.
    assert!(!select(&doc, ".tag.transaction").is_empty());
    assert!(!select(&doc, ".tag.dropoff").is_empty());
    assert_eq!(select(&doc, "details.curve-table tbody tr").len(), 16);
    let chips = select(&doc, "header.journey-head .chips li.metric .reading");
    let part = |css: &str| -> Vec<String> {
        chips
            .iter()
            .map(|c| select_in(c, css).first().map(text).unwrap_or_default())
            .collect()
    };
    assert_eq!(part(".reading-name"), ["NPS", "CES", "CSAT"]);
    assert_eq!(part(".reading-value"), ["31", "4.2", "72 %"]);
    assert_eq!(part(".move [aria-hidden]"), ["▲ +1", "", ""]);
    assert_eq!(
        part(".move .visually-hidden"),
        ["up 1 since 2026-11, better", "", ""]
    );
    assert_eq!(
        part(".reading-target .visually-hidden"),
        ["target 40, not met", "", "target 75 %, not met"]
    );
    assert_eq!(part(".reading-target [aria-hidden]"), ["40", "", "75 %"]);
    assert_eq!(part("time"), ["2026-12", "", ""]);
    assert_eq!(
        select_in(&chips[0], ".reading-name")[0]
            .value()
            .attr("title"),
        Some("NPS, −100 to 100")
    );
    // The trend: every month, in its title, for screen readers and hover.
    let trend = select_in(&chips[0], "svg.trend title");
    assert!(
        text(&trend[0]).starts_with("NPS: 2026-01 24, 2026-02 22,"),
        "{}",
        text(&trend[0])
    );
    assert!(text(&trend[0]).ends_with("2026-12 31"));
    // The source, highlighted.
    assert!(!select(&doc, "details.source code span.k").is_empty());
    assert!(!select(&doc, "details.source code span.s").is_empty());
}

#[test]
fn touchpoint_page_lists_every_step_through_it() {
    let (_dir, out) = built_example();
    let doc = page(&out, "touchpoints/call-centre.html");
    let uses = select(&doc, "#uses tbody tr");
    assert!(!uses.is_empty());
    let links: Vec<&str> = select(&doc, "#uses tbody td a")
        .iter()
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert!(
        links.contains(&"../journeys/carla/activity.html"),
        "{links:?}"
    );
    assert!(text(&select(&doc, "dl.facts")[0]).contains("Average emotion"));
    assert!(!select(&doc, "#pains li").is_empty());
    // Owners by the names `[departments]` gives them, as on journey pages
    // (here and on a system page's table).
    let system = page(&out, "systems/service-cloud.html");
    for (doc, cells) in [
        (&doc, "#uses tbody tr td:nth-child(5)"),
        (&system, "table tbody tr td:nth-child(5)"),
    ] {
        let owners: Vec<String> = select(doc, cells).iter().map(text).collect();
        assert!(owners.iter().any(|o| o == "Customer service"), "{owners:?}");
        assert!(!owners.iter().any(|o| o == "service"), "{owners:?}");
    }
    // A step that names a system itself is used through its own
    // touchpoints: the "via" column names them.
    // (Sales Cloud is not a system of the webinar touchpoint: only the step
    // names it.)
    let crm = page(&out, "systems/sales-cloud.html");
    let demo = select(&crm, "table tbody tr")
        .into_iter()
        .find(|row| text(row).contains("Downloads the checklist"))
        .expect("Priya's demo request uses Sales Cloud");
    let cell = scraper::Selector::parse("td:nth-child(6)").unwrap();
    let via: Vec<String> = demo.select(&cell).map(|c| text(&c)).collect();
    assert_eq!(via, ["NTO for Teams webinar"], "{}", text(&demo));
}

#[test]
fn home_shows_coverage_gaps_worst_touchpoints_and_handoff_gaps() {
    let (_dir, out) = built_example();
    let doc = page(&out, "index.html");
    let rows = select(&doc, "table.coverage tbody tr");
    assert_eq!(rows.len(), 5, "one row per persona");
    let cols = select(&doc, "table.coverage thead th").len() - 1;
    assert_eq!(cols, 6, "five built-in lenses and b2b");
    let covered = select(&doc, "table.coverage td.covered a:not(.future-mark)").len();
    let gaps = select(&doc, "table.coverage td.gap").len();
    assert_eq!(covered, 12, "current-state journeys only");
    assert_eq!(
        gaps,
        5 * 6 - select(&doc, "table.coverage td.covered").len()
    );
    assert!(gaps > 0);
    assert_eq!(select(&doc, "#worst ol li").len(), 5);
    // The ten worst of the example's 31 gaps, the biggest drop first; the rest on the insights page.
    let gaps = select(&doc, "#gaps li");
    assert_eq!(gaps.len(), 10);
    assert!(
        text(&gaps[0]).contains("delighted → angry"),
        "{}",
        text(&gaps[0])
    );
    assert!(text(&select(&doc, "#gaps p.muted")[0]).starts_with("10 / 31"));
}

#[test]
fn home_opens_with_the_figures_a_director_asks_for_each_a_link() {
    let (_dir, out) = built_example();
    let doc = page(&out, "index.html");
    let figures: Vec<(String, String, String)> = select(&doc, "#figures li.figure a")
        .iter()
        .map(|a| {
            let b = a
                .select(&scraper::Selector::parse("b").unwrap())
                .next()
                .unwrap();
            let span = a
                .select(&scraper::Selector::parse("span").unwrap())
                .next()
                .unwrap();
            (
                text(&span),
                text(&b),
                a.value().attr("href").unwrap().to_owned(),
            )
        })
        .collect();
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("journeys.json")).unwrap()).unwrap();
    // The figures of the current experience: future states are counted as
    // planned redesigns, not with the journeys they redesign.
    let current: Vec<(&String, &serde_json::Value)> = json["journeys"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, j)| j["state"] == "current")
        .collect();
    let steps: Vec<&serde_json::Value> = current
        .iter()
        .map(|(_, j)| *j)
        .flat_map(|j| j["stages"].as_array().unwrap())
        .flat_map(|s| s["steps"].as_array().unwrap())
        .collect();
    let unanswered = steps
        .iter()
        .filter(|s| {
            !s["pain"].is_null() && s["opportunity"].is_null() && s["opportunities"].is_null()
        })
        .count();
    let dropoffs = steps.iter().filter(|s| s["dropoff"] == true).count();
    let handoff_gaps: usize = current
        .iter()
        .map(|(id, _)| &json["handoffs"][id.as_str()])
        .flat_map(|h| h.as_array().unwrap())
        .filter(|h| !h["gap"].is_null())
        .count();
    let expected = [
        ("Journeys", "12".to_owned(), "journeys/index.html"),
        ("Personas", "5".to_owned(), "personas/index.html"),
        (
            "Average emotion",
            "+0.3".to_owned(),
            "insights.html#heatmap",
        ),
        (
            "Handoff gaps",
            handoff_gaps.to_string(),
            "insights.html#handoff-gaps",
        ),
        (
            "Journey gaps",
            json["journey_gaps"].as_array().unwrap().len().to_string(),
            "insights.html#journey-gaps",
        ),
        ("Drop-offs", dropoffs.to_string(), "insights.html#dropoffs"),
        (
            "Pain points without an opportunity",
            unanswered.to_string(),
            "insights.html#pains-without-opportunity",
        ),
        (
            "Open opportunities",
            json["opportunities"]
                .as_object()
                .unwrap()
                .values()
                .filter(|o| {
                    ["idea", "planned", "in-progress"].contains(&o["status"].as_str().unwrap())
                })
                .count()
                .to_string(),
            "opportunities/index.html",
        ),
        (
            "Steps with evidence",
            format!(
                "{} %",
                steps
                    .iter()
                    .filter(|s| !s["evidence"].as_array().unwrap().is_empty())
                    .count()
                    * 100
                    / steps.len()
            ),
            "insights.html#evidence",
        ),
        (
            "Planned redesigns",
            "2".to_owned(),
            "insights.html#redesigns",
        ),
    ];
    assert_eq!(current.len(), 12);
    assert_eq!(figures.len(), expected.len(), "{figures:?}");
    for ((label, value, href), (l, v, u)) in figures.iter().zip(&expected) {
        assert_eq!((label.as_str(), value, href.as_str()), (*l, v, *u));
        let (file, anchor) = href.split_once('#').unwrap_or((href, ""));
        let target = std::fs::read_to_string(out.join(file)).unwrap();
        assert!(
            anchor.is_empty() || target.contains(&format!("id=\"{anchor}\"")),
            "{href}"
        );
    }
    // The figures come before the matrix, and the handbook's text after it.
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    let at = |needle: &str| html.find(needle).unwrap_or_else(|| panic!("{needle}"));
    assert!(at("id=\"figures\"") < at("id=\"coverage\""));
    assert!(at("id=\"coverage\"") < at("class=\"prose home-text\""));
}

#[test]
fn persona_page_opens_with_a_persona_card() {
    let (_dir, out) = built_example();
    let doc = page(&out, "personas/carla.html");
    let card = &select(&doc, "section.persona-card")[0];
    let inside = |sel: &str| {
        card.select(&scraper::Selector::parse(sel).unwrap())
            .map(|e| text(&e))
            .collect::<Vec<_>>()
    };
    assert_eq!(inside("h1"), ["Carla"]);
    assert_eq!(inside(".role").len(), 1);
    assert_eq!(inside(".segment").len(), 1);
    assert!(inside(".channels li").len() >= 3);
    assert_eq!(inside("blockquote.quote").len(), 1);
    for list in [".goals li", ".needs li", ".frustrations li"] {
        assert!(!inside(list).is_empty(), "{list}");
    }
}

#[test]
fn insights_page_has_the_heatmap_and_unmapped_moments() {
    let (_dir, out) = built_example();
    let doc = page(&out, "insights.html");
    let cells = select(&doc, "table.heatmap td.heat[data-average]");
    assert!(cells.len() > 20, "{}", cells.len());
    for c in &cells {
        let v: f64 = c.value().attr("data-average").unwrap().parse().unwrap();
        assert!((-2.0..=2.0).contains(&v));
    }
    let unmapped = text(&select(&doc, "#unmapped")[0]);
    assert!(unmapped.contains("Prepare the trip"), "{unmapped}");
    assert!(!select(&doc, "#handoff-gaps tbody tr").is_empty());
    assert!(!select(&doc, "#pains-by-owner h3").is_empty());
    assert!(!select(&doc, "#pains-by-touchpoint h3").is_empty());
}

#[test]
fn persona_and_lens_pages() {
    let (_dir, out) = built_example();
    let doc = page(&out, "personas/carla.html");
    assert_eq!(text(&select(&doc, "h1")[0]), "Carla");
    assert!(!select(&doc, "blockquote.quote").is_empty());
    let lenses: Vec<String> = select(&doc, "#journeys h3").iter().map(text).collect();
    assert_eq!(lenses.len(), 3, "{lenses:?}");
    let doc = page(&out, "lenses/b2b.html");
    let stages: Vec<String> = select(&doc, "ol.stages li").iter().map(text).collect();
    assert_eq!(stages.len(), 7);
    assert_eq!(stages[0], "Out of market");
    assert!(!select(&doc, "table.side-by-side tbody tr").is_empty());
}

#[test]
fn no_internal_link_is_broken() {
    let (_dir, out) = built_example();
    let files = tree(&out);
    let a = Selector::parse("a[href], link[href], script[src]").unwrap();
    let mut checked = 0;
    for (path, bytes) in &files {
        if !path.ends_with(".html") || path == "404.html" {
            continue;
        }
        let doc = Html::parse_document(std::str::from_utf8(bytes).unwrap());
        let dir = Path::new(path).parent().unwrap();
        for e in doc.select(&a) {
            let href = e.value().attr("href").or(e.value().attr("src")).unwrap();
            if href.starts_with("http") || href.starts_with('#') || href.starts_with("mailto:") {
                continue;
            }
            let target = href.split('#').next().unwrap();
            let resolved = normalise(&dir.join(target));
            assert!(
                files.contains_key(&resolved),
                "{path}: broken link {href} ({resolved})"
            );
            checked += 1;
        }
    }
    assert!(checked > 500, "{checked}");
}

fn normalise(p: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                parts.pop();
            }
            std::path::Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
            _ => {}
        }
    }
    parts.join("/")
}

#[test]
fn no_request_to_another_host() {
    let (_dir, out) = built_example();
    for (path, bytes) in tree(&out) {
        if path.ends_with(".html") {
            let doc = Html::parse_document(std::str::from_utf8(&bytes).unwrap());
            // Everything a browser loads by itself (links to follow are fine).
            let loaders = "link[href], script[src], img[src], img[srcset], source[src], \
                source[srcset], iframe[src], video[src], audio[src], embed[src], object[data], \
                image[href], use[href]";
            for e in select(&doc, loaders) {
                for attr in ["href", "src", "srcset", "data"] {
                    if let Some(url) = e.value().attr(attr) {
                        assert!(!url.contains("//"), "{path}: {url}");
                    }
                }
            }
            for e in select(&doc, "style, [style]") {
                let css = e
                    .value()
                    .attr("style")
                    .map_or_else(|| text(&e), str::to_owned);
                assert!(
                    !css.contains("url(") || !css.contains("//"),
                    "{path}: {css}"
                );
            }
        }
    }
}

#[test]
fn every_page_forbids_other_hosts() {
    let (_dir, out) = built_example();
    for (path, bytes) in tree(&out) {
        if path.ends_with(".html") {
            let doc = Html::parse_document(std::str::from_utf8(&bytes).unwrap());
            let csp = select(&doc, "meta[http-equiv='Content-Security-Policy']");
            assert_eq!(csp.len(), 1, "{path}");
            let policy = csp[0].value().attr("content").unwrap();
            assert!(
                policy.starts_with("default-src 'self'; script-src 'self';"),
                "{path}: {policy}"
            );
            assert!(
                select(&doc, "[onclick], [onsubmit], [onload], [onerror]").is_empty(),
                "{path}: inline handler"
            );
        }
    }
}

#[test]
fn two_builds_are_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    assert_eq!(build_into(&example(), &a).0, 0);
    assert_eq!(build_into(&example(), &b).0, 0);
    let (ta, tb) = (tree(&a), tree(&b));
    assert_eq!(ta.keys().collect::<Vec<_>>(), tb.keys().collect::<Vec<_>>());
    for (k, v) in &ta {
        assert!(v == &tb[k], "{k} differs");
    }
    // And a rebuild over the same folder keeps it identical.
    assert_eq!(build_into(&example(), &a).0, 0);
    assert_eq!(tree(&a), ta);
}

#[test]
fn journeys_json_and_sitemap() {
    let dir = tempfile::tempdir().unwrap();
    // The handbook only (the project folder also holds `target/`).
    copy_tree(&example().join("content"), &dir.path().join("content"));
    let book = dir.path().join("book.toml");
    std::fs::copy(example().join("book.toml"), &book).unwrap();
    let text = std::fs::read_to_string(&book).unwrap();
    std::fs::write(
        &book,
        text.replace(
            "base-url = \"/\"",
            "base-url = \"https://cx.example.org/handbook/\"",
        ),
    )
    .unwrap();
    let out = dir.path().join("public");
    assert_eq!(build_into(dir.path(), &out).0, 0);
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("journeys.json")).unwrap()).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(json["journeys"].as_object().unwrap().len(), 14);
    assert_eq!(json["journeys"]["carla/activity"]["state"], "current");
    assert_eq!(json["journeys"]["carla/activity-future"]["state"], "future");
    assert_eq!(
        json["journeys"]["carla/activity-future"]["redesigns"],
        "carla/activity"
    );
    assert_eq!(json["journeys"]["carla/activity"]["persona"], "carla");
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    assert!(
        sitemap.contains("<loc>https://cx.example.org/handbook/journeys/carla/activity.html</loc>")
    );
    assert!(!sitemap.contains("404.html"));
    let not_found = std::fs::read_to_string(out.join("404.html")).unwrap();
    assert!(not_found.contains("href=\"https://cx.example.org/handbook/static/style.css\""));
}

#[test]
fn a_spanish_handbook_speaks_spanish() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (code, stderr) = build_into(&fixture("es"), &out);
    assert_eq!(code, 0, "{stderr}");
    let doc = page(&out, "journeys/lucia/actividad.html");
    assert_eq!(select(&doc, "html")[0].value().attr("lang"), Some("es"));
    let nav: Vec<String> = select(&doc, "nav.sections a").iter().map(text).collect();
    assert!(nav.contains(&"Recorridos".to_owned()), "{nav:?}");
    let words: Vec<String> = select(&doc, "tr.lane-emotion-words .emo")
        .iter()
        .map(text)
        .collect();
    assert_eq!(words, ["encantado", "feliz", "enojado"]);
    assert!(text(&select(&doc, "tr.lane-owner")[0]).contains("brecha de traspaso"));
    let lens = page(&out, "lenses/target.html");
    let stages: Vec<String> = select(&lens, "ol.stages li").iter().map(text).collect();
    assert_eq!(stages, ["Adquisición", "Conversión", "Retención"]);
}

#[test]
fn content_errors_write_nothing_and_keep_the_previous_output() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("es"), dir.path());
    let out = dir.path().join("public");
    assert_eq!(build_into(dir.path(), &out).0, 0);
    let before = tree(&out);
    copy_tree(&fixture("faults/unknown-persona"), dir.path());
    let (code, stderr) = build_into(dir.path(), &out);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("unknown persona `lucai`"), "{stderr}");
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert_eq!(tree(&out), before);
    // No staging folder left behind.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names.iter().any(|n| n.contains("journeydoc-")),
        "{names:?}"
    );
}

#[test]
fn dangerous_output_folders_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("book");
    std::fs::create_dir(&root).unwrap();
    copy_tree(&fixture("es"), &root);
    for (out, reason) in [
        (root.clone(), "handbook folder"),
        (root.join("content"), "content folder"),
        (dir.path().to_path_buf(), "handbook folder or contains it"),
        (
            root.join("content/personas/out"),
            "inside the content folder",
        ),
        (PathBuf::from("/"), "root of the file system"),
    ] {
        let (code, stderr) = build_into(&root, &out);
        assert_eq!(code, 2, "{}: {stderr}", out.display());
        assert!(stderr.contains(reason), "{}: {stderr}", out.display());
    }
    // A non-empty folder journeydoc did not create.
    let foreign = dir.path().join("mine");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("notes.txt"), "keep me").unwrap();
    let (code, stderr) = build_into(&root, &foreign);
    assert_eq!(code, 2);
    assert!(stderr.contains("did not create it"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(foreign.join("notes.txt")).unwrap(),
        "keep me"
    );
    // A file added to journeydoc's own output is never deleted.
    let out = dir.path().join("public");
    assert_eq!(build_into(&root, &out).0, 0);
    std::fs::write(out.join("added-by-hand.html"), "mine").unwrap();
    let (code, stderr) = build_into(&root, &out);
    assert_eq!(code, 2);
    assert!(stderr.contains("added-by-hand.html"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(out.join("added-by-hand.html")).unwrap(),
        "mine"
    );
}

#[test]
fn an_empty_existing_folder_is_fine_and_the_default_output_is_public() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("es"), dir.path());
    std::fs::create_dir(dir.path().join("public")).unwrap();
    let out = journeydoc(dir.path(), &["build"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.path().join("public/index.html").is_file());
}

#[test]
fn a_theme_override_replaces_one_template_and_adds_static_files() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("es"), dir.path());
    let theme = dir.path().join("themes/default");
    std::fs::create_dir_all(theme.join("templates")).unwrap();
    std::fs::create_dir_all(theme.join("static/img")).unwrap();
    std::fs::write(
        theme.join("templates/page.html"),
        "{% extends \"base.html\" %}{% block content %}<p id=\"custom\">{{ data.title }}</p>{% endblock content %}",
    )
    .unwrap();
    std::fs::write(theme.join("static/img/logo.svg"), "<svg/>").unwrap();
    let out = dir.path().join("public");
    assert_eq!(build_into(dir.path(), &out).0, 0);
    assert!(out.join("static/img/logo.svg").is_file());
    let journey = std::fs::read_to_string(out.join("journeys/lucia/actividad.html")).unwrap();
    assert!(
        journey.contains("class=\"grid\""),
        "other templates stay built in"
    );
}

/// The built-in journey page gets its grid as HTML (`data.map`), the
/// touchpoint page its rows (`data.uses_rows`…) and the lens page its rows
/// (`data.rows_html`); a theme's own `journey.html` gets that and every
/// step as a value (`data.steps`), its own `touchpoint.html` every row
/// (`data.uses`, `data.pains`), its own `lens.html` every row (`data.rows`).
#[test]
fn a_theme_s_own_templates_get_every_step_and_row() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("es"), dir.path());
    let built_in = dir.path().join("built-in");
    assert_eq!(build_into(dir.path(), &built_in).0, 0);
    let templates = dir.path().join("themes/default/templates");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(
        templates.join("journey.html"),
        "{% extends \"base.html\" %}{% block content %}<ol id=\"steps\">\
         {% for s in data.steps %}{% if not s.empty %}<li>{{ s.stage }}: {{ s.action }}\
         {% if s.emotion %} ({{ s.emotion.score }}){% endif %}</li>{% endif %}{% endfor %}\
         </ol><table class=\"own-grid\">\
         <tr class=\"lane-action\">{% for s in data.steps %}<td>{% if not s.empty %}{{ s.action }}{% endif %}</td>{% endfor %}</tr>\
         <tr class=\"lane-touchpoints\">{% for s in data.steps %}<td>{% for tp in s.touchpoints %}{{ tp.name }}{% endfor %}</td>{% endfor %}</tr>\
         <tr class=\"lane-emotion-words\">{% for s in data.steps %}<td>{% if s.emotion %}{{ s.emotion.word }}{% endif %}</td>{% endfor %}</tr>\
         <tr class=\"lane-pain\">{% for s in data.steps %}<td>{% if s.pain %}{{ s.pain }}{% endif %}</td>{% endfor %}</tr>\
         <tr class=\"lane-owner\">{% for s in data.steps %}<td>{% if s.owner %}{{ s.owner }}{% endif %}</td>{% endfor %}</tr>\
         </table>{% endblock content %}",
    )
    .unwrap();
    std::fs::write(
        templates.join("touchpoint.html"),
        "{% extends \"base.html\" %}{% block content %}<ul id=\"uses\">\
         {% for u in data.uses %}<li>{{ u.journey }} / {{ u.action }}</li>{% endfor %}</ul>\
         <p id=\"pains\">{{ data.pains | length }}</p>{% endblock content %}",
    )
    .unwrap();
    std::fs::write(
        templates.join("lens.html"),
        "{% extends \"base.html\" %}{% block content %}<ul id=\"rows\">\
         {% for r in data.rows %}<li>{{ r.title }}</li>{% endfor %}</ul>{% endblock content %}",
    )
    .unwrap();
    let out = dir.path().join("public");
    assert_eq!(build_into(dir.path(), &out).0, 0);

    let mut lens_rows = 0;
    for entry in std::fs::read_dir(built_in.join("lenses")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name == "index.html" {
            continue;
        }
        let path = format!("lenses/{name}");
        let titles: Vec<String> = select(
            &page(&built_in, &path),
            "table.side-by-side tbody th > a:first-child",
        )
        .iter()
        .map(text)
        .collect();
        let listed: Vec<String> = select(&page(&out, &path), "#rows li")
            .iter()
            .map(text)
            .collect();
        assert_eq!(listed, titles, "{path}");
        lens_rows += titles.len();
    }
    assert!(lens_rows > 0);

    for tp in ["app", "repartidor"] {
        let path = format!("touchpoints/{tp}.html");
        let reference = page(&built_in, &path);
        let rows: Vec<String> = select(&reference, "table.uses tbody tr")
            .iter()
            .map(|tr| {
                let cells: Vec<String> = tr.child_elements().map(|td| text(&td)).collect();
                format!("{} / {}", cells[0], cells[2])
            })
            .collect();
        assert!(!rows.is_empty(), "{tp}");
        let own = page(&out, &path);
        let listed: Vec<String> = select(&own, "#uses li").iter().map(text).collect();
        assert_eq!(listed, rows, "{tp}");
        let pains = select(&reference, "#pains li").len();
        assert_eq!(text(&select(&own, "#pains")[0]), pains.to_string(), "{tp}");
    }

    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("journeys.json")).unwrap()).unwrap();
    let journey = &json["journeys"]["lucia/actividad"];
    let mut expected = Vec::new();
    for stage in journey["stages"].as_array().unwrap() {
        for step in stage["steps"].as_array().unwrap() {
            let score = step["emotion"]
                .as_i64()
                .map_or(String::new(), |e| format!(" ({e})"));
            expected.push(format!(
                "{}: {}{score}",
                stage["name"].as_str().unwrap(),
                step["action"].as_str().unwrap()
            ));
        }
    }
    assert!(expected.len() >= 3, "{expected:?}");
    let own = page(&out, "journeys/lucia/actividad.html");
    let listed: Vec<String> = select(&own, "#steps li").iter().map(text).collect();
    assert_eq!(listed, expected);

    // A grid drawn from `data.steps` holds what the built-in grid shows,
    // lane by lane and column by column (the built-in cells add marks: a
    // transaction tag, a handoff sign).
    let reference = page(&built_in, "journeys/lucia/actividad.html");
    let mut filled = 0;
    for lane in [
        "lane-action",
        "lane-touchpoints",
        "lane-emotion-words",
        "lane-pain",
        "lane-owner",
    ] {
        let cells = |doc: &Html, table: &str| -> Vec<String> {
            // The built-in grid's actions are column headers (`th`), after
            // the lane's row header; the theme's own grid has cells only.
            let cell = if table == "grid" {
                ":not(:first-child)"
            } else {
                "td"
            };
            select(doc, &format!("table.{table} tr.{lane} > {cell}"))
                .iter()
                .map(text)
                .collect()
        };
        let (mine, theirs) = (cells(&own, "own-grid"), cells(&reference, "grid"));
        assert_eq!(mine.len(), theirs.len(), "{lane}: {mine:?} / {theirs:?}");
        for (m, r) in mine.iter().zip(&theirs) {
            assert!(r.contains(m.as_str()), "{lane}: `{m}` not in `{r}`");
            filled += usize::from(!m.is_empty());
        }
    }
    assert!(filled > 10, "{filled} cells with values");
}
#[test]
fn systems_index_puts_the_worst_first_and_every_system_has_a_page() {
    let (_dir, out) = built_example();
    let doc = page(&out, "systems/index.html");
    let averages: Vec<f64> = select(&doc, "table.systems tbody td .avg[data-average]")
        .iter()
        .map(|e| e.value().attr("data-average").unwrap().parse().unwrap())
        .collect();
    assert!(averages.len() > 20, "{}", averages.len());
    assert!(
        averages.windows(2).all(|w| w[0] <= w[1]),
        "sorted by average emotion: {averages:?}"
    );
    // Every system named on a touchpoint or a step has a page, and the page links back.
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("journeys.json")).unwrap()).unwrap();
    let by_name: BTreeMap<&str, &str> = json["systems"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(id, name)| (name.as_str().unwrap(), id.as_str()))
        .collect();
    let mut named = 0;
    for tp in json["touchpoints"].as_object().unwrap().values() {
        for sys in tp["systems"].as_array().unwrap() {
            let id = by_name[sys.as_str().unwrap()];
            let sp = page(&out, &format!("systems/{id}.html"));
            let back: Vec<&str> = select(&sp, "#touchpoints a")
                .iter()
                .filter_map(|a| a.value().attr("href"))
                .collect();
            assert!(
                back.contains(
                    &format!("../touchpoints/{}.html", tp["id"].as_str().unwrap()).as_str()
                ),
                "{id}: {back:?}"
            );
            named += 1;
        }
    }
    assert!(named > 30);
    let om = page(&out, "systems/order-management.html");
    assert!(select(&om, "#uses tbody tr").len() >= 3);
    assert!(!select(&om, "#backstage li").is_empty());
}

#[test]
fn the_customers_life_and_key_moments() {
    let (_dir, out) = built_example();
    let carla = page(&out, "personas/carla.html");
    let stages: Vec<String> = select(&carla, "#life .life-stage h3")
        .iter()
        .map(text)
        .collect();
    assert_eq!(stages, ["Buyer", "Customer", "User"]);
    let gaps = select(&carla, "#life .life-next.journey-gap");
    assert!(!gaps.is_empty());
    assert!(text(&gaps[0]).contains("journey gap"), "{}", text(&gaps[0]));
    // Markers in the grid: an icon and words, not colour alone.
    let journey = page(&out, "journeys/carla/activity.html");
    let tx = select(&journey, "tr.lane-action .tag.transaction");
    assert!(!tx.is_empty());
    assert_eq!(text(&tx[0]), "◆ key transaction");
    assert_eq!(
        text(&select(&journey, "tr.lane-action .tag.dropoff")[0]),
        "⤓ drop-off"
    );
    // Insights: drop-offs and transactions ranked worst first, journey gaps.
    let insights = page(&out, "insights.html");
    let score = |word: &str| {
        ["angry", "frustrated", "neutral", "happy", "delighted"]
            .iter()
            .position(|w| *w == word)
            .unwrap()
    };
    for table in ["#dropoffs", "#transactions"] {
        let words: Vec<usize> = select(&insights, &format!("{table} tbody tr td .emo"))
            .iter()
            .map(|e| score(&text(e)))
            .collect();
        assert!(words.len() >= 2, "{table}");
        assert!(words.windows(2).all(|w| w[0] <= w[1]), "{table}: {words:?}");
    }
    assert!(select(&insights, "#transactions tbody tr").len() >= 3);
    assert!(!select(&insights, "#journey-gaps li").is_empty());
}

/// The benchmark corpus at N = 50 (the smoke run CI does): it checks and
/// builds, and the long lists on insights show their worst 100 with totals.
#[test]
fn a_generated_corpus_checks_and_builds() {
    let dir = tempfile::tempdir().unwrap();
    journeydoc::corpus::write_corpus(dir.path(), 50, 7).unwrap();
    let root = dir.path().join("journeydoc");
    let (code, _, err) = run(&root, &["check"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("50 journeys"), "{err}");
    let out = dir.path().join("out");
    let (code, _, err) = run(
        &root,
        &["--quiet", "build", "--output", out.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{err}");
    let journeys = walkdir::WalkDir::new(out.join("journeys"))
        .into_iter()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .count();
    assert_eq!(journeys, 51, "50 journey pages and the index");
    let insights = page(&out, "insights.html");
    let gaps = select(&insights, "#handoff-gaps tbody tr").len();
    assert_eq!(gaps, 100, "the worst 100 handoff gaps");
    let more = select(&insights, "#handoff-gaps .more");
    let note = text(&more[0]);
    let total: usize = note
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .nth(1)
        .unwrap_or_else(|| panic!("a total in {note:?}"));
    assert!(total > 100, "{note}");
    // A query loads the index, a shard per word and a chunk of titles.
    for f in ["search/index.js", "search/d-0.js", "search/t-ca.js"] {
        assert!(out.join(f).is_file(), "{f}");
    }
}

/// The corpus with the new layer (studies, opportunities, future states)
/// checks without errors and builds their pages; the rest of the corpus is
/// what it is without the layer.
#[test]
fn a_generated_corpus_with_the_new_layer_checks_and_builds() {
    let dir = tempfile::tempdir().unwrap();
    let (plain, layered) = (dir.path().join("plain"), dir.path().join("layered"));
    journeydoc::corpus::write_corpus(&plain, 100, 7).unwrap();
    journeydoc::corpus::write_corpus_layered(&layered, 100, 7, 0, true).unwrap();
    let root = layered.join("journeydoc");
    let (code, _, err) = run(&root, &["check"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("110 journeys, 5 studies, 5 opportunities"),
        "{err}"
    );
    assert!(err.contains(" 0 errors"), "{err}");
    let out = dir.path().join("out");
    let (code, _, err) = run(
        &root,
        &["--quiet", "build", "--output", out.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{err}");
    for f in [
        "research/r0.html",
        "opportunities/o4.html",
        "journeys/p9/j9-future.html",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let future = page(&out, "journeys/p9/j9-future.html");
    assert!(
        !select(&future, "a[href$='j9.html']").is_empty(),
        "links the journey it redesigns"
    );
    for part in ["personas", "touchpoints"] {
        let a = tree(&plain.join("journeydoc/content").join(part));
        let b = tree(&root.join("content").join(part));
        assert_eq!(a, b, "{part} differ with the layer");
    }
}

/// A lens with more journeys than one page shows continues on numbered
/// pages: every journey of the lens appears exactly once across them, each
/// page links every other, and a journey's row is on the page its place in
/// persona order puts it.
#[test]
fn a_crowded_lens_runs_over_numbered_pages() {
    let dir = tempfile::tempdir().unwrap();
    journeydoc::corpus::write_corpus(dir.path(), 240, 7).unwrap();
    let root = dir.path().join("journeydoc");
    let out = dir.path().join("out");
    let (code, err) = build_into(&root, &out);
    assert_eq!(code, 0, "{err}");
    // How many journeys each lens has, as journeys.json tells.
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("journeys.json")).unwrap()).unwrap();
    let mut per_lens: BTreeMap<String, usize> = BTreeMap::new();
    for j in json["journeys"].as_object().unwrap().values() {
        *per_lens
            .entry(j["lens"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    let (lens, &count) = per_lens.iter().max_by_key(|(_, n)| **n).unwrap();
    assert!(count > 50, "the corpus puts {count} journeys on {lens}");
    let pages = count.div_ceil(50);
    let mut seen = Vec::new();
    for n in 1..=pages {
        let path = if n == 1 {
            format!("lenses/{lens}.html")
        } else {
            format!("lenses/{lens}/{n}.html")
        };
        let doc = page(&out, &path);
        let rows = select(&doc, "table.side-by-side tbody tr th a:first-child");
        let expected = if n < pages {
            50
        } else {
            count - 50 * (pages - 1)
        };
        assert_eq!(rows.len(), expected, "{path}");
        seen.extend(
            rows.iter()
                .map(|a| a.value().attr("href").unwrap().to_owned()),
        );
        let links = select(&doc, "nav.pages a");
        assert_eq!(
            links.len() % pages,
            0,
            "{path}: the page list, above and below the table"
        );
        let current = select(&doc, "nav.pages a[aria-current=page]");
        assert_eq!(text(&current[0]), n.to_string(), "{path}");
    }
    assert!(
        !out.join(format!("lenses/{lens}/{}.html", pages + 1))
            .exists()
    );
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), count, "every journey of the lens once");
    assert_eq!(seen.len(), count);
    // The page numbers are in the sitemap too.
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    assert!(
        sitemap.contains(&format!("lenses/{lens}/{pages}.html")),
        "{sitemap}"
    );
}

/// A future state in a Spanish handbook it has not seen: Lucía's pizza
/// order redesigned (two emotions better, a pain gone, a handoff gap
/// closed). `check` is clean; the future map shows both curves and names
/// each change in its stage; the current map links to it; the coverage
/// matrix and the current touchpoint figures are what they were without it.
#[test]
fn a_spanish_future_state_is_compared_with_the_journey_it_redesigns() {
    let without = tempfile::tempdir().unwrap();
    copy_tree(&fixture("es"), without.path());
    let with = tempfile::tempdir().unwrap();
    copy_tree(&fixture("es"), with.path());
    std::fs::write(
        with.path().join("content/journeys/lucia/actividad-futura.md"),
        "---\ntitle: Lucía pide una pizza, rediseñado\npersona: lucia\nlens: activity\nstate: futuro\nredesigns: lucia/actividad\nstages:\n  - name: Elegir\n    steps:\n      - action: Abre la app y elige una pizza\n        touchpoints: [app]\n        emotion: \":D\"\n      - action: Paga con tarjeta\n        touchpoints: [app]\n        emotion: \":D\"\n  - name: Esperar\n    steps:\n      - action: Sigue al repartidor en el mapa de la app\n        touchpoints: [repartidor]\n        emotion: \":D\"\n---\nEl pedido se sigue en la app.\n",
    )
    .unwrap();
    let (code, _, stderr) = run(with.path(), &["check"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains(": 0 errors"), "{stderr}");
    let (a, b) = (without.path().join("public"), with.path().join("public"));
    assert_eq!(build_into(without.path(), &a).0, 0);
    assert_eq!(build_into(with.path(), &b).0, 0);

    // The future map: both curves, a legend in words, "Qué cambia".
    let doc = page(&b, "journeys/lucia/actividad-futura.html");
    assert_eq!(select(&doc, "svg.curve line.line.before").len(), 2);
    assert_eq!(select(&doc, "svg.curve circle.point.before").len(), 3);
    let legend = text(&select(&doc, ".curve-legend")[0]);
    assert!(
        legend.contains("Estado actual, línea discontinua"),
        "{legend}"
    );
    assert!(
        legend.contains("Este estado futuro, línea continua"),
        "{legend}"
    );
    assert!(
        select(&doc, ".state-line a")[0].value().attr("href")
            == Some("../../journeys/lucia/actividad.html"),
        "the future map names the journey it redesigns"
    );
    // Stage → [(step, [changes])].
    type Steps = Vec<(String, Vec<String>)>;
    let stages: Vec<(String, Steps)> = select(&doc, "#what-changes .stage-changes")
        .iter()
        .map(|s| {
            let name = text(&select_in(s, "h3")[0]);
            let steps = select_in(s, ".step-changes > li")
                .iter()
                .map(|st| {
                    let step = text(&select_in(st, ".changed-step")[0]);
                    (step, select_in(st, "li.change").iter().map(text).collect())
                })
                .collect();
            (name, steps)
        })
        .collect();
    assert_eq!(text(&select(&doc, "#what-changes h2")[0]), "Qué cambia");
    assert_eq!(stages.len(), 2, "{stages:?}");
    assert!(stages[0].0.starts_with("Elegir"), "{stages:?}");
    assert_eq!(
        stages[0].1,
        [(
            "Paga con tarjeta".to_owned(),
            vec!["Emoción feliz → encantado".to_owned()]
        )],
        "{stages:?}"
    );
    assert!(stages[1].0.starts_with("Esperar"), "{stages:?}");
    assert_eq!(
        stages[1].1,
        [(
            "Sigue al repartidor en el mapa de la app".to_owned(),
            vec![
                "Emoción enojado → encantado".to_owned(),
                "Dolor eliminado El pedido llega tarde".to_owned(),
                "Brecha de traspaso cerrada Ventas → Reparto".to_owned(),
            ]
        )],
        "{stages:?}"
    );
    // The step links to its column of the map.
    assert_eq!(
        select(&doc, "#what-changes a.changed-step")[0]
            .value()
            .attr("href"),
        Some("#step-1-2")
    );

    // The current map lists it with its net change.
    let current = page(&b, "journeys/lucia/actividad.html");
    let listed = select(&current, ".redesigns-of li");
    assert_eq!(listed.len(), 1);
    assert!(
        text(&listed[0]).contains("brechas cerradas: 1"),
        "{}",
        text(&listed[0])
    );
    assert_eq!(
        select_in(&listed[0], "a")[0].value().attr("href"),
        Some("../../journeys/lucia/actividad-futura.html")
    );

    // The coverage cell marks it; the matrix is otherwise unchanged.
    let home = page(&b, "index.html");
    let marks = select(&home, "table.coverage td.covered a.future-mark");
    assert_eq!(marks.len(), 1);
    assert_eq!(
        marks[0].value().attr("href"),
        Some("journeys/lucia/actividad-futura.html")
    );
    let cells = |doc: &Html| -> Vec<String> {
        select(doc, "table.coverage td")
            .iter()
            .map(|td| {
                let mut t = text(td);
                for m in select_in(td, ".future-mark") {
                    t = t.replace(&text(&m), "");
                }
                t.split_whitespace().collect::<Vec<_>>().join(" ")
            })
            .collect()
    };
    assert_eq!(cells(&page(&a, "index.html")), cells(&home));
    // The current experience's figures count current journeys only: the
    // touchpoint pages and the worst touchpoints are byte for byte the same.
    for tp in ["touchpoints/app.html", "touchpoints/repartidor.html"] {
        assert_eq!(
            std::fs::read(a.join(tp)).unwrap(),
            std::fs::read(b.join(tp)).unwrap(),
            "{tp}"
        );
    }
    let worst = |doc: &Html| {
        select(doc, "#worst li")
            .iter()
            .map(text)
            .collect::<Vec<_>>()
    };
    assert_eq!(worst(&page(&a, "index.html")), worst(&home));
    // The insights page lists it under "Rediseños previstos".
    let insights = page(&b, "insights.html");
    let rows = select(&insights, "#redesigns tbody tr");
    assert_eq!(rows.len(), 1);
    assert!(text(&rows[0]).starts_with("Lucía pide una pizza, rediseñado"));
    assert!(select(&page(&a, "insights.html"), "#redesigns").is_empty());
}

/// The example handbook's two redesigns: marked beside their journeys and
/// ranked on the insights page, best first.
#[test]
fn the_example_redesigns_are_beside_their_journeys_and_ranked() {
    let (_dir, out) = built_example();
    let insights = page(&out, "insights.html");
    let rows = select(&insights, "#redesigns tbody tr");
    assert_eq!(rows.len(), 2);
    let deltas: Vec<f64> = rows
        .iter()
        .map(|r| {
            text(&select_in(r, "b.delta")[0])
                .trim_start_matches('+')
                .parse()
                .unwrap()
        })
        .collect();
    assert!(deltas[0] >= deltas[1] && deltas[1] > 0.0, "{deltas:?}");
    // Lens page row, persona page and journeys index mark them.
    let lens = page(&out, "lenses/activity.html");
    assert!(
        select(&lens, "a.future-mark")
            .iter()
            .any(|a| a.value().attr("href") == Some("../journeys/carla/activity-future.html"))
    );
    let persona = page(&out, "personas/priya.html");
    assert!(
        select(&persona, "#journeys a.future-mark")
            .iter()
            .any(|a| a.value().attr("href") == Some("../journeys/priya/b2b-future.html"))
    );
    let index = page(&out, "journeys/index.html");
    let futures = select(&index, "tr.future");
    assert_eq!(futures.len(), 2);
    assert!(text(&futures[0]).contains("Future state of Carla buys a backpack for her hike"));
    // The future map of the B2B journey: the gap at the kick-off closed.
    let b2b = page(&out, "journeys/priya/b2b-future.html");
    let closed: Vec<String> = select(&b2b, "#what-changes li.gap-closed")
        .iter()
        .map(text)
        .collect();
    assert!(
        closed.iter().any(|c| c.contains("Sales → Onboarding")),
        "{closed:?}"
    );
}

/// Research in a Spanish handbook: a study cited by a step has its page
/// with that step; the map marks the step and shows its evidenced share;
/// the research index, the insights page and the home figure count it.
#[test]
fn a_study_page_lists_the_steps_that_cite_it_and_maps_show_their_evidence() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("es"), dir.path());
    copy_tree(&fixture("faults/unknown-research"), dir.path());
    let journey = dir.path().join("content/journeys/lucia/actividad.md");
    let source = std::fs::read_to_string(&journey).unwrap();
    std::fs::write(
        &journey,
        source.replace(
            "evidence: [entrevista]",
            "evidence: [Entrevistas con clientes]",
        ),
    )
    .unwrap();
    let out = dir.path().join("public");
    let (code, stderr) = build_into(dir.path(), &out);
    assert_eq!(code, 0, "{stderr}");
    let study = page(&out, "research/entrevistas.html");
    assert_eq!(text(&select(&study, "h1")[0]), "Entrevistas con clientes");
    let chips = text(&select(&study, "ul.chips")[0]);
    assert!(chips.contains("Método Entrevistas"), "{chips}");
    assert!(chips.contains("Participantes 8"), "{chips}");
    let cells = |tr: &scraper::ElementRef| -> String {
        select_in(tr, "td")
            .iter()
            .map(text)
            .collect::<Vec<_>>()
            .join(" | ")
    };
    let rows: Vec<String> = select(&study, "#cited-by table.cites tbody tr")
        .iter()
        .map(cells)
        .collect();
    assert_eq!(
        rows,
        ["Esperar | Espera 50 minutos | enojado | El pedido llega tarde"]
    );
    assert_eq!(
        select(&study, "#cited-by tbody a")[0].value().attr("href"),
        Some("../journeys/lucia/actividad.html#step-2-1")
    );
    // The title named the study: resolved to its id, the map links it.
    let map = page(&out, "journeys/lucia/actividad.html");
    let marks = select(&map, "#step-2-1 a.tag.evidence");
    assert_eq!(marks.len(), 1);
    assert_eq!(
        marks[0].value().attr("href"),
        Some("../../research/entrevistas.html")
    );
    assert_eq!(
        marks[0].value().attr("title"),
        Some("Evidencia: Entrevistas con clientes")
    );
    assert_eq!(
        text(&select(&map, "li.evidence-share")[0]),
        "Evidencia 1 de 3 pasos · 1 de 1 dolores"
    );
    let index = page(&out, "research/index.html");
    assert_eq!(
        cells(&select(&index, "table.studies tbody tr")[0]),
        "Entrevistas con clientes | Entrevistas | 2026-05-31 | 8 |  | 1 | 1"
    );
    let home = page(&out, "index.html");
    assert!(
        select(&home, "#figures li")
            .iter()
            .any(|f| text(f) == "20 %Pasos con evidencia"),
        "the home figure"
    );
    let insights = page(&out, "insights.html");
    assert_eq!(
        select(&insights, "#evidence table.evidence tbody tr").len(),
        2
    );
    // The search index covers the study.
    let search: String = std::fs::read_dir(out.join("search"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap_or_default())
        .collect();
    assert!(search.contains("research/entrevistas.html"));
}
