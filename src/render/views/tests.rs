//! Unit tests of each page kind's builder, on the Spanish fixture handbook:
//! what a page's view holds, as its template sees it (serialised).

use serde_json::Value;

use super::Views;
use crate::resolve::Handbook;

fn handbook() -> &'static Handbook {
    static RUN: std::sync::OnceLock<crate::Run> = std::sync::OnceLock::new();
    &RUN.get_or_init(|| {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/es");
        crate::load(&root, &crate::Options::default()).expect("the fixture loads")
    })
    .handbook
}

fn json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).expect("a view serialises")
}

#[test]
fn home_counts_the_handbook_and_lists_coverage_per_persona() {
    let h = handbook();
    let v = json(&Views::new(h).home_page());
    assert_eq!(v["counts"]["journeys"], h.journeys.len());
    assert_eq!(v["counts"]["personas"], h.personas.len());
    assert_eq!(v["coverage"].as_array().unwrap().len(), h.personas.len());
    assert_eq!(v["coverage"][0]["url"], "personas/lucia.html");
    assert_eq!(
        v["coverage"][0]["cells"].as_array().unwrap().len(),
        h.lenses.len()
    );
}

#[test]
fn a_persona_page_has_its_journeys_by_lens_and_by_lifecycle() {
    let h = handbook();
    let v = json(&Views::new(h).persona("lucia"));
    assert_eq!(v["name"], "Lucía");
    let by_lens: usize = v["lenses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["journeys"].as_array().unwrap().len())
        .sum();
    assert_eq!(by_lens, 2);
    let by_life: usize = v["life"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["journeys"].as_array().unwrap().len())
        .sum();
    assert_eq!(by_life, 2);
}

#[test]
fn a_journey_page_has_a_column_per_step_and_its_grid_as_html() {
    let h = handbook();
    let id = "lucia/actividad";
    let v = json(&Views::new(h).journey(id));
    let steps = h.journeys[id].steps().count();
    let empty = h.journeys[id]
        .stages
        .iter()
        .filter(|s| s.steps.is_empty())
        .count();
    assert_eq!(v["columns"], steps + empty);
    assert_eq!(v["persona"]["url"], "personas/lucia.html");
    assert!(
        v["map"]
            .as_str()
            .unwrap()
            .contains("<table class=\"grid\">")
    );
    assert!(v["curve"].as_str().unwrap().starts_with("<svg"));
    assert!(v["average"]["text"].is_string());
    // The built-in theme gets no step values (only its own journey.html).
    assert!(v.get("steps").is_none());
}

#[test]
fn index_pages_list_every_item() {
    let h = handbook();
    let views = Views::new(h);
    let list = |v: Value, key: &str| v[key].as_array().unwrap().len();
    assert_eq!(
        list(json(&views.personas_index()), "personas"),
        h.personas.len()
    );
    assert_eq!(
        list(json(&views.touchpoints_index()), "touchpoints"),
        h.touchpoints.len()
    );
    assert_eq!(list(json(&views.lenses_index()), "lenses"), h.lenses.len());
    assert_eq!(
        list(json(&views.systems_index()), "systems"),
        h.systems.len()
    );
}

#[test]
fn a_touchpoint_page_counts_its_uses() {
    let h = handbook();
    let views = Views::new(h);
    let id = h.touchpoints.keys().next().unwrap();
    let rows = views.touchpoint_rows(id);
    let uses = h
        .journeys
        .values()
        .flat_map(|j| j.steps())
        .filter(|(_, s)| s.touchpoints.iter().any(|t| &*t.value == id.as_str()))
        .count();
    assert_eq!(rows.len(), uses);
    let v = json(&views.touchpoint(id, &rows));
    assert_eq!(
        v["uses_rows"].as_str().unwrap().matches("<tr>").count(),
        uses
    );
}

#[test]
fn a_lens_page_shows_its_journeys_side_by_side() {
    let h = handbook();
    let views = Views::new(h);
    let members = views.lens_members("b2b");
    let rows = views.lens_rows(1, &members);
    let v = json(&views.lens_page("b2b", 1, &members, &rows));
    assert_eq!(v["journeys"], 1);
    assert_eq!(v["pages"][0]["current"], true);
    assert!(v["columns"].as_array().unwrap().len() >= 7);
}

#[test]
fn the_insights_page_totals_what_it_lists() {
    let h = handbook();
    let v = json(&Views::new(h).insights_page());
    let gaps: usize = h
        .handoffs
        .values()
        .flatten()
        .filter(|ho| ho.gap.is_some())
        .count();
    assert_eq!(v["totals"]["gaps"], gaps);
    assert_eq!(v["gaps"].as_array().unwrap().len(), gaps.min(100));
    assert_eq!(
        v["heatmaps"].as_array().unwrap().len(),
        h.lenses
            .iter()
            .filter(|(l, _)| h.journeys.values().any(|j| &j.lens.value == *l))
            .count()
    );
}

#[test]
fn a_system_page_lists_the_steps_that_use_it() {
    let h = handbook();
    let views = Views::new(h);
    for id in h.systems.keys() {
        let v = json(&views.system(id));
        assert_eq!(v["name"], h.systems[id]);
        assert!(!v["uses"].as_array().unwrap().is_empty(), "{id}");
    }
}

#[test]
fn each_part_is_at_its_own_index_and_a_path_finds_its_part() {
    use super::Part;
    for (i, &part) in Part::ALL.iter().enumerate() {
        assert_eq!(part as usize, i, "{part:?}");
    }
    assert_eq!(Part::of("index.html"), Part::Home);
    assert_eq!(Part::of("personas/lucia.html"), Part::Personas);
    assert_eq!(Part::of("journeys/lucia/actividad.html"), Part::Journeys);
    assert_eq!(Part::of("metrics/nps/2.html"), Part::Metrics);
    assert_eq!(Part::of("guia.html"), Part::Pages);
    assert_eq!(Part::of("404.html"), Part::NotFound);
}
