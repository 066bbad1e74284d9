use super::*;
use crate::config::Config;

fn catalog() -> Catalog {
    let mut diags = Vec::new();
    let config = crate::config::parse(
        "[metrics.fcr]\ntitle = \"First-contact resolution\"\nunit = \"%\"\nmin = 0\nmax = 100\nbetter = \"higher\"\ntarget = 80\n[metrics.ces]\ntarget = 3\n",
        &mut diags,
    );
    assert!(diags.is_empty(), "{diags:?}");
    Catalog::new(&config)
}

fn point(date: &str, value: f64) -> Point {
    Point {
        value,
        date: Date::parse_period(date).unwrap().pack(),
        n: u32::MAX,
    }
}

#[test]
fn the_catalog_has_the_built_ins_first_then_the_handbooks_own() {
    let c = catalog();
    assert_eq!(c.ids().collect::<Vec<_>>(), ["nps", "ces", "csat", "fcr"]);
    assert_eq!(c.get("ces").unwrap().target, Some(3.0));
    assert_eq!(c.get("fcr").unwrap().title, "First-contact resolution");
    assert_eq!(Catalog::new(&Config::default()).metrics.len(), 3);
}

#[test]
fn lower_is_better_for_ces_so_a_fall_is_an_improvement() {
    let c = catalog();
    let ces = c.get("ces").unwrap();
    assert_eq!(ces.direction(4.5, 3.9), Direction::Better);
    assert_eq!(ces.direction(3.9, 4.5), Direction::Worse);
    let nps = c.get("nps").unwrap();
    assert_eq!(nps.direction(20.0, 25.0), Direction::Better);
    assert_eq!(nps.direction(25.0, 25.0), Direction::Same);
    assert!(ces.met(2.5, 3.0) && !ces.met(3.5, 3.0));
}

#[test]
fn the_latest_is_the_newest_row_and_the_change_is_since_the_one_before() {
    let mut m = Measurements {
        catalog: catalog(),
        ..Default::default()
    };
    let scope = Scope::Journey("carla-activity".into());
    m.series.insert(
        (1, scope.clone()),
        vec![
            point("2026-01", 4.8),
            point("2026-02", 4.6),
            point("2026-03-15", 4.1),
        ]
        .into(),
    );
    let r = m.reading(1, &scope, Some(5.0), &[]).unwrap();
    assert_eq!(r.latest, Some((4.1, Date::parse_period("2026-03-15"))));
    let (delta, dir) = r.change().unwrap();
    assert!((delta + 0.5).abs() < 1e-9);
    assert_eq!(dir, Direction::Better);
    assert_eq!(r.target, Some(3.0));
    assert_eq!(r.met(), Some(false));
    // Typed by hand only: the value, no date, no change.
    let other = Scope::Journey("priya-b2b".into());
    let typed = m.reading(1, &other, Some(5.0), &[]).unwrap();
    assert_eq!(typed.latest, Some((5.0, None)));
    assert!(typed.change().is_none());
    assert!(m.reading(0, &other, None, &[]).is_none());
}

#[test]
fn shortfall_compares_metrics_of_different_scales() {
    let c = catalog();
    let (nps, ces) = (c.get("nps").unwrap(), c.get("ces").unwrap());
    // 20 NPS points short of 40 is 10 % of its 200-point range; 1.2 CES
    // points over 3 is 20 % of its 6-point range: CES is further off.
    assert!((nps.shortfall(20.0, 40.0) - 0.1).abs() < 1e-9);
    assert!((ces.shortfall(4.2, 3.0) - 0.2).abs() < 1e-9);
    assert_eq!(nps.shortfall(50.0, 40.0), 0.0);
}

#[test]
fn months_and_days_sort_and_count() {
    let month = Date::parse_period("2026-03").unwrap();
    let day = Date::parse_period("2026-03-01").unwrap();
    assert!(month < day);
    assert!(month.pack() < day.pack());
    assert_eq!(Date::unpack(day.pack()), day);
    assert_eq!(month.to_string(), "2026-03");
    assert_eq!(month.days(), day.days());
    assert_eq!(Date::from_days(day.days()), day);
    assert_eq!(Date::parse_period("2026-13"), None);
    assert_eq!(Date::parse_period("2026-3"), None);
}

#[test]
fn a_cell_is_found_past_quoted_cells_with_commas_quotes_and_line_breaks() {
    let text = "date,metric,value\n\"2026,\"\"x\"\"\n01\",nps,abc\n";
    let start = text.find('"').unwrap();
    let span = cells::cell_span(text, start, 2);
    assert_eq!(&text[span], "abc");
    let span = cells::cell_span(text, start, 0);
    assert!(text[span].starts_with("\"2026"));
    // Past the end: the empty span at the record's end.
    let span = cells::cell_span(text, 0, 7);
    assert_eq!(span.start, span.end);
}

#[test]
fn a_measurement_takes_sixteen_bytes() {
    // A million rows must take less memory than their text on disk.
    assert_eq!(std::mem::size_of::<Point>(), 16);
}

#[test]
fn a_journeys_series_are_read_per_metric_without_borrowing_the_next_metrics() {
    let mut m = Measurements {
        catalog: catalog(),
        ..Default::default()
    };
    let j = "lucia/actividad";
    m.series.insert(
        (1, Scope::Step(j.into(), "pago".into())),
        vec![point("2026-05", 3.2)].into(),
    );
    m.series.insert(
        (1, Scope::Stage(j.into(), "Elegir".into())),
        vec![point("2026-05", 4.0)].into(),
    );
    m.series.insert(
        (0, Scope::Journey(j.into())),
        vec![point("2026-05", 20.0)].into(),
    );
    m.series.insert(
        (0, Scope::Step("otro".into(), "pago".into())),
        vec![point("2026-05", 9.0)].into(),
    );
    let s = m.of_journey(j);
    assert_eq!(s.journey(0).len(), 1);
    assert!(s.step(0, "pago").is_empty(), "NPS has no step series here");
    assert_eq!(s.step(1, "pago")[0].value, 3.2);
    assert!(s.stage(0, "Elegir").is_empty());
    assert_eq!(s.stage(1, "Elegir").len(), 1);
}
