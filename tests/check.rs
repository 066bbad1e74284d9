//! `journeydoc check` end to end: the real binary on fixture handbooks.
//!
//! Each fault case is the Spanish fixture (`tests/fixtures/es`, custom lens,
//! emoticons, TOML and YAML front matter) with one broken file laid over it
//! from `tests/fixtures/faults/<case>/`.

mod common;

use common::{copy_tree, edit, example, faulty, fixture, run};

/// One fault: the exact first line of each error, the help line under it,
/// and how many errors the run reports in all (no cascades).
struct Case {
    name: &'static str,
    errors: &'static [(&'static str, &'static str)],
}

const CASES: &[Case] = &[
    Case {
        name: "unknown-opportunity",
        errors: &[(
            "content/journeys/lucia/actividad.md:23:25: error: unknown opportunity `avisar-retraso` [unknown-opportunity]",
            "= help: did you mean `avisar-retrasos`? (an opportunity's id: the name of its file in opportunities/)",
        )],
    },
    Case {
        name: "unknown-realises",
        errors: &[(
            "content/journeys/lucia/actividad-futura.md:7:29: error: unknown opportunity `avisar-retrazos` [unknown-opportunity]",
            "= help: did you mean `avisar-retrasos`? (an opportunity's id: the name of its file in opportunities/)",
        )],
    },
    Case {
        name: "bad-status",
        errors: &[(
            "content/opportunities/avisar.md:3:9: error: unknown status `en curzo` [bad-status]",
            "= help: did you mean `en-curso`?",
        )],
    },
    Case {
        name: "bad-impact",
        errors: &[
            (
                "content/opportunities/avisar.md:3:9: error: `impact` must be a whole number from 1 to 5, not 7 [bad-value]",
                "= help: score how much it would improve the experience from 1 (a little) to 5 (a lot)",
            ),
            (
                "content/opportunities/avisar.md:4:9: error: `effort` must be a whole number from 1 to 5, not 0 [bad-value]",
                "= help: score how much work it is from 1 (a little) to 5 (a lot)",
            ),
        ],
    },
    Case {
        name: "bad-opportunity-link",
        errors: &[(
            "content/opportunities/avisar.md:3:7: error: `tracker/PED-12` is not a web address [bad-link]",
            "= help: give the address of the work item (a ticket, an epic), starting with https://",
        )],
    },
    Case {
        name: "csv-unknown-column",
        errors: &[(
            "data/medidas.csv:1:19: error: `jouney` is not a column of a data file [unknown-column]",
            "= help: did you mean `journey`?",
        )],
    },
    Case {
        name: "csv-bad-date",
        errors: &[(
            "data/medidas.csv:3:1: error: `2026-13` is not a date [bad-date]",
            "= help: write `YYYY-MM-DD` for a day or `YYYY-MM` for a month, such as `2026-03`",
        )],
    },
    Case {
        name: "csv-unknown-metric",
        errors: &[(
            "data/medidas.csv:2:9: error: `nsp` is not a metric of this handbook [unknown-metric]",
            "= help: did you mean `nps`?",
        )],
    },
    Case {
        name: "csv-out-of-range",
        errors: &[(
            "data/medidas.csv:2:14: error: CSAT 140 is out of range [bad-metric]",
            "= help: `csat` goes from 0 to 100",
        )],
    },
    Case {
        name: "csv-not-a-number",
        errors: &[(
            "data/medidas.csv:2:13: error: `treinta` is not a number [bad-value]",
            "= help: write the value with a point for decimals, such as `4.2`",
        )],
    },
    Case {
        name: "csv-unknown-journey",
        errors: &[(
            "data/medidas.csv:2:16: error: no journey has the id `lucia/actvidad` [unknown-journey]",
            "= help: did you mean `lucia/actividad`?",
        )],
    },
    Case {
        name: "csv-unknown-stage",
        errors: &[(
            "data/medidas.csv:2:33: error: journey `lucia/actividad` has no stage `Esperra` [unknown-stage]",
            "= help: did you mean `Esperar`?",
        )],
    },
    Case {
        name: "csv-unknown-step",
        errors: &[(
            "data/medidas.csv:2:33: error: journey `lucia/actividad` has no step with the id `pago` [unknown-step]",
            "= help: give the step an `id` in `content/journeys/lucia/actividad.md` to measure it",
        )],
    },
    Case {
        name: "csv-unknown-touchpoint",
        errors: &[(
            "data/medidas.csv:2:17: error: no touchpoint has the id `repartdor` [unknown-touchpoint]",
            "= help: did you mean `repartidor`?",
        )],
    },
    Case {
        name: "csv-stage-without-journey",
        errors: &[(
            "data/medidas.csv:2:18: error: a `stage` without a `journey` [missing-journey]",
            "= help: fill in the `journey` the stage is part of",
        )],
    },
    Case {
        name: "csv-two-scopes",
        errors: &[(
            "data/medidas.csv:2:33: error: a row measures a journey or a touchpoint, not both [two-scopes]",
            "= help: leave `journey` or `touchpoint` empty, or split the row in two",
        )],
    },
    Case {
        name: "csv-duplicate",
        errors: &[(
            "data/b.csv:3:1: error: csat of touchpoint `app` on 2026-01 is measured twice [duplicate-measurement]",
            "= help: `data/a.csv` line 2 measures it first; keep one row",
        )],
    },
    Case {
        name: "csv-not-utf8",
        errors: &[(
            "data/medidas.csv:2:16: error: this cell is not valid UTF-8 text [not-utf8]",
            "= help: export the file as UTF-8 (most tools: \"CSV UTF-8\")",
        )],
    },
    Case {
        name: "csv-ragged",
        errors: &[(
            "data/medidas.csv:2:9: error: this row has 2 cells, the header 3 [bad-csv]",
            "= help: every row needs one cell per column (an empty cell is `,,`)",
        )],
    },
    Case {
        name: "csv-missing-column",
        errors: &[(
            "data/medidas.csv:1:1: error: the data file has no `metric` column [missing-column]",
            "= help: the header needs `date`, `metric` and `value`",
        )],
    },
    Case {
        name: "target-unknown-metric",
        errors: &[(
            "content/touchpoints/app.md:6:24: error: `nsp` is not a metric of this handbook [unknown-metric]",
            "= help: did you mean `nps`?",
        )],
    },
    Case {
        name: "csv-multiline",
        errors: &[(
            "data/medidas.csv:4:13: error: `3,5` is not a number [bad-value]",
            "= help: write the value with a point for decimals, such as `4.2`",
        )],
    },
    Case {
        name: "csv-bom",
        errors: &[
            (
                "data/medidas.csv:1:19: error: `jurney` is not a column of a data file [unknown-column]",
                "= help: did you mean `journey`?",
            ),
            (
                "data/medidas.csv:2:9: error: `npss` is not a metric of this handbook [unknown-metric]",
                "= help: did you mean `nps`?",
            ),
        ],
    },
    Case {
        name: "metric-config",
        errors: &[
            (
                "book.toml:21:7: error: `max` (0) of `fcr` must be greater than `min` (100) [bad-value]",
                "= help: swap them, or leave a bound out for a metric without one",
            ),
            (
                "book.toml:22:10: error: `better` must be \"higher\" or \"lower\", not \"mas\" [bad-value]",
                "= help: \"higher\" when a larger value is a better experience",
            ),
            (
                "book.toml:25:7: error: the range and direction of `nps` are fixed [bad-value]",
                "= help: `[metrics.nps]` may set `title` and `target`",
            ),
        ],
    },
    Case {
        name: "unknown-research",
        errors: &[(
            "content/journeys/lucia/actividad.md:24:20: error: unknown research `entrevista` [unknown-research]",
            "= help: did you mean `entrevistas`? (a study's id, the name of its file in research/, or its title)",
        )],
    },
    Case {
        name: "bad-method",
        errors: &[(
            "content/research/estudio.md:3:9: error: unknown research method `entrevsta` [bad-method]",
            "= help: did you mean `entrevista`?",
        )],
    },
    Case {
        name: "bad-date",
        errors: &[(
            "content/research/estudio.md:4:7: error: `2026-02-30` is not a date [bad-date]",
            "= help: write the day the study ended as YYYY-MM-DD, a day that exists (2026-03-31)",
        )],
    },
    Case {
        name: "bad-participants",
        errors: &[(
            "content/research/estudio.md:4:15: error: `participants` must be a whole number of 0 or more, not -3 [bad-value]",
            "= help: count the people, calls or records behind the study",
        )],
    },
    Case {
        name: "bad-research-link",
        errors: &[(
            "content/research/estudio.md:4:7: error: `wiki/estudio` is not a web address [bad-link]",
            "= help: give the address where the raw material lives, starting with https://",
        )],
    },
    Case {
        name: "unknown-redesigns",
        errors: &[(
            "content/journeys/lucia/actividad-futura.md:6:12: error: unknown journey `lucia/actividd` [unknown-journey]",
            "= help: did you mean `lucia/actividad`?",
        )],
    },
    Case {
        name: "redesigns-future",
        errors: &[(
            "content/journeys/lucia/actividad-futura-2.md:6:12: error: `lucia/actividad-futura` is a future state; a redesign redesigns a current-state journey [redesigns-future]",
            "= help: `lucia/actividad-futura` is itself a redesign of `lucia/actividad`: name that one",
        )],
    },
    Case {
        name: "redesigns-other-map",
        errors: &[(
            "content/journeys/lucia/actividad-futura.md:6:12: error: `lucia/b2b` maps lucia × b2b, this journey lucia × activity [redesigns-other-map]",
            "= help: a redesign keeps its journey's persona and lens: name a journey of lucia × activity, such as `lucia/actividad`",
        )],
    },
    Case {
        name: "redesigns-on-current",
        errors: &[(
            "content/journeys/lucia/actividad-futura.md:5:12: error: `redesigns` on a current-state journey (`lucia/actividad-futura`) [redesigns-on-current]",
            "= help: add `state: future` to make this journey a redesign of that one, or remove `redesigns`",
        )],
    },
    Case {
        name: "missing-redesigns",
        errors: &[(
            "content/journeys/lucia/actividad-futura.md:5:8: error: a future-state journey must name the journey it redesigns [missing-redesigns]",
            "= help: add `redesigns: lucia/actividad` (the current-state journey this one improves)",
        )],
    },
    // Two future states naming each other: a loop the rules cannot let
    // through (a redesign names a current journey), one error at each.
    Case {
        name: "redesign-loop",
        errors: &[
            (
                "content/journeys/lucia/actividad-futura.md:6:12: error: `lucia/actividad-otra` is a future state; a redesign redesigns a current-state journey [redesigns-future]",
                "= help: name a current-state journey, such as `lucia/actividad`",
            ),
            (
                "content/journeys/lucia/actividad-otra.md:6:12: error: `lucia/actividad-futura` is a future state; a redesign redesigns a current-state journey [redesigns-future]",
                "= help: name a current-state journey, such as `lucia/actividad`",
            ),
        ],
    },
    Case {
        name: "bad-state",
        errors: &[(
            "content/journeys/lucia/actividad-futura.md:5:8: error: unknown state `futur` [bad-state]",
            "= help: did you mean `future`?",
        )],
    },
    Case {
        name: "realises-on-current",
        errors: &[(
            "content/journeys/lucia/actividad-futura.md:5:12: error: `realises` on a current-state journey [realises-on-current]",
            "= help: only a future state (`state: future`) puts opportunities into effect; remove `realises`, or mark the journey `state: future`",
        )],
    },
    Case {
        name: "unknown-persona",
        errors: &[(
            "content/journeys/lucia/actividad.md:3:10: error: unknown persona `lucai` [unknown-persona]",
            "= help: did you mean `lucia`?",
        )],
    },
    Case {
        name: "unknown-lens",
        errors: &[(
            "content/journeys/lucia/actividad.md:4:7: error: unknown lens `activty` [unknown-lens]",
            "= help: did you mean `activity`?",
        )],
    },
    Case {
        name: "unknown-touchpoint",
        errors: &[(
            "content/journeys/lucia/actividad.md:20:23: error: unknown touchpoint `repartidr` [unknown-touchpoint]",
            "= help: did you mean `repartidor`?",
        )],
    },
    Case {
        name: "unknown-owner",
        errors: &[(
            "content/journeys/lucia/b2b.md:12:9: error: unknown owner `marketng` [unknown-owner]",
            "= help: did you mean `marketing`?",
        )],
    },
    Case {
        name: "unknown-stage",
        errors: &[(
            "content/journeys/lucia/b2b.md:15:8: error: `Decison final` is not a stage of the `b2b` lens [unknown-stage]",
            "= help: did you mean `Decisión`?",
        )],
    },
    Case {
        name: "stage-order",
        errors: &[(
            "content/journeys/lucia/b2b.md:15:8: error: stage `Decisión` is out of order: in the `b2b` lens it comes before `Lealtad` [stage-order]",
            "= help: order the stages as the lens does: Fuera del mercado → Detonante → Investigación → Evaluación → Decisión → Experiencia → Lealtad",
        )],
    },
    Case {
        name: "duplicate-stage",
        errors: &[(
            "content/journeys/lucia/actividad.md:17:11: error: stage `Elegir` appears twice in this journey [duplicate-stage]",
            "= help: merge its steps into the first `Elegir` stage",
        )],
    },
    Case {
        name: "bad-emotion",
        errors: &[(
            "content/journeys/lucia/actividad.md:15:18: error: `felz` is not an emotion on the five-point scale [bad-emotion]",
            "= help: did you mean `feliz`?",
        )],
    },
    Case {
        name: "missing-field",
        errors: &[(
            "content/journeys/lucia/actividad.md:1:1: error: missing required field `title` in the journey front matter [missing-field]",
            "= help: add `title: …` to the journey front matter",
        )],
    },
    Case {
        name: "missing-action",
        errors: &[
            (
                "content/journeys/lucia/actividad.md:13:9: error: missing required field `action` in the step [missing-field]",
                "= help: add `action: …` to the step",
            ),
            (
                "content/journeys/lucia/actividad.md:13:9: error: unknown field `acton` in the step [unknown-field]",
                "= help: did you mean `action`?",
            ),
        ],
    },
    Case {
        name: "unknown-field",
        errors: &[(
            "content/journeys/lucia/actividad.md:15:9: error: unknown field `emotoin` in the step [unknown-field]",
            "= help: did you mean `emotion`?",
        )],
    },
    Case {
        name: "book-unknown-key",
        errors: &[(
            "book.toml:2:1: error: unknown field `titel` in the [book] table [unknown-field]",
            "= help: did you mean `title`?",
        )],
    },
    Case {
        name: "duplicate-id",
        errors: &[(
            "content/personas/otra.md:3:5: error: duplicate persona id `lucia` [duplicate-id]",
            "= help: `content/personas/lucia.md` already has this id; give one of them another `id:` or file name",
        )],
    },
    Case {
        name: "duplicate-step-id",
        errors: &[(
            "content/journeys/lucia/actividad.md:14:13: error: duplicate step id `pago` in this journey [duplicate-id]",
            "= help: step ids must be unique within a journey",
        )],
    },
    Case {
        name: "unterminated-front-matter",
        errors: &[(
            "content/personas/x.md:1:1: error: the front matter is never closed: no `---` line after the opening one [unterminated-front-matter]",
            "= help: add a line with only `---` after the last field",
        )],
    },
    Case {
        name: "yaml-syntax",
        errors: &[(
            // The `[` opened on line 3 is what is wrong, not line 4's `:`
            // where the parser noticed.
            "content/personas/lucia.md:3:7: error: invalid YAML: this `[` is never closed [syntax]",
            "= help: close the bracket with `]` (the YAML parser stopped at line 4, column 6: illegal placement of ':' indicator)",
        )],
    },
    Case {
        name: "unclosed-quote",
        errors: &[(
            "content/personas/lucia.md:4:8: error: invalid YAML: unclosed quote [syntax]",
            "= help: close the quote on the same line",
        )],
    },
    Case {
        name: "toml-syntax",
        errors: &[(
            "content/touchpoints/app.md:3:11: error: invalid TOML: string values must be quoted, expected literal string [syntax]",
            "= help: text values must be quoted in TOML",
        )],
    },
    Case {
        name: "not-utf8",
        errors: &[(
            "content/personas/ana.md:4:6: error: the file is not valid UTF-8 text [not-utf8]",
            "= help: save the file with UTF-8 encoding",
        )],
    },
    Case {
        name: "empty-file",
        errors: &[(
            "content/personas/vacia.md:1:1: error: the file is empty [empty-file]",
            "= help: start it with front matter",
        )],
    },
    Case {
        name: "broken-link",
        errors: &[
            (
                "content/_index.md:4:29: error: link `@journey/lucia/actividd` points to no journey with id `lucia/actividd` [broken-link]",
                "= help: did you mean `@journey/lucia/actividad`?",
            ),
            (
                "content/_index.md:4:67: error: link `personas/lusia.md` points to `personas/lusia.md`, which is not a content file [broken-link]",
                "= help: did you mean `personas/lucia.md`?",
            ),
        ],
    },
    Case {
        name: "unknown-journey",
        errors: &[(
            "content/journeys/lucia/actividad.md:6:8: error: unknown journey `lucia/b2c` [unknown-journey]",
            "= help: did you mean `lucia/b2b`?",
        )],
    },
    Case {
        name: "bad-lifecycle",
        errors: &[(
            "content/journeys/lucia/actividad.md:5:12: error: unknown lifecycle `buyr` [bad-lifecycle]",
            "= help: did you mean `buyer`?",
        )],
    },
    Case {
        name: "bad-metric",
        errors: &[(
            "content/journeys/lucia/b2b.md:5:19: error: NPS 200 is out of range [bad-metric]",
            "= help: `nps` goes from -100 to 100",
        )],
    },
    Case {
        name: "bad-channel",
        errors: &[(
            "content/touchpoints/repartidor.md:3:10: error: unknown channel `fone` [bad-channel]",
            "= help: did you mean `phone`?",
        )],
    },
    Case {
        name: "unknown-system",
        errors: &[(
            "content/journeys/lucia/b2b.md:13:12: error: unknown system `CMR` [unknown-system]",
            "= help: did you mean `CRM`?",
        )],
    },
    Case {
        name: "alias-bomb",
        errors: &[(
            "content/personas/bomba.md:8:15: error: invalid YAML: the front matter expands to too many values (an alias bomb?) [syntax]",
            "= help: write the values out",
        )],
    },
    Case {
        name: "deep-nesting",
        errors: &[(
            "content/personas/honda.md:3:263: error: invalid YAML: values are nested too deeply [syntax]",
            "= help: front matter may nest at most 64 levels",
        )],
    },
];

#[test]
fn every_fault_is_named_at_its_file_line_and_column() {
    for case in CASES {
        let dir = faulty(case.name);
        let started = std::time::Instant::now();
        let (code, _, stderr) = run(dir.path(), &["check"]);
        assert_eq!(code, 1, "{}: exit code\n{stderr}", case.name);
        assert!(!stderr.contains("panicked"), "{}: {stderr}", case.name);
        for (first, help) in case.errors {
            let at = stderr
                .lines()
                .position(|l| l == *first)
                .unwrap_or_else(|| panic!("{}: no line\n  {first}\nin\n{stderr}", case.name));
            // The source line and caret follow, then the help.
            let block: Vec<&str> = stderr.lines().skip(at + 1).take(4).collect();
            assert!(
                block[2].trim_start().starts_with('|'),
                "{}: {block:?}",
                case.name
            );
            assert!(block[2].contains('^'), "{}: caret in {block:?}", case.name);
            assert!(
                block[3].trim_start().starts_with(help),
                "{}: help {help:?} in {block:?}",
                case.name
            );
        }
        let summary = stderr.lines().last().unwrap_or_default();
        let expected = match case.errors.len() {
            1 => ": 1 error,".to_owned(),
            n => format!(": {n} errors,"),
        };
        assert!(
            summary.contains(&expected),
            "{}: every error reported once, no cascade: {summary}",
            case.name
        );
        // Alias bombs and deep nesting must be rejected quickly, not ground through.
        assert!(started.elapsed().as_secs() < 20, "{}: too slow", case.name);
    }
}

#[test]
fn every_fault_case_has_an_overlay_and_a_test() {
    let mut on_disk: Vec<String> = std::fs::read_dir(fixture("faults"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "warnings")
        .collect();
    on_disk.sort();
    let mut tested: Vec<String> = CASES.iter().map(|c| c.name.to_owned()).collect();
    tested.sort();
    assert_eq!(on_disk, tested);
}

#[test]
fn the_caret_sits_under_the_bad_value() {
    let dir = faulty("unknown-touchpoint");
    let (_, _, stderr) = run(dir.path(), &["check"]);
    let expected = "   |\n20 |         touchpoints: [repartidr]\n   |                       ^^^^^^^^^\n   = help: did you mean `repartidor`?\n";
    assert!(stderr.contains(expected), "{stderr}");
}

#[test]
fn the_example_handbook_is_clean_but_for_its_deliberate_handoff_gaps() {
    let (code, stdout, stderr) = run(&example(), &["check", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let diags: Vec<serde_json::Value> = serde_json::from_str(&stdout).expect("json array");
    assert!(!diags.is_empty());
    for d in &diags {
        assert_eq!(d["severity"], "warning", "{d}");
        assert_eq!(d["code"], "handoff-gap", "{d}");
    }
    let summary = stderr.lines().last().unwrap();
    assert!(summary.contains("5 personas"), "{summary}");
    assert!(summary.contains("14 journeys"), "{summary}");
    assert!(summary.contains(": 0 errors,"), "{summary}");
}

#[test]
fn the_spanish_handbook_passes() {
    let (code, _, stderr) = run(&fixture("es"), &["check"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains(": 0 errors, 1 warning"), "{stderr}");
    // Emotion words are in the handbook's language.
    assert!(
        stderr.contains("(emotion drops from feliz to enojado)"),
        "{stderr}"
    );
}

#[test]
fn warnings_pass_unless_denied() {
    let dir = faulty("warnings");
    let (code, _, stderr) = run(dir.path(), &["check"]);
    assert_eq!(code, 0, "{stderr}");
    for expected in [
        "content/journeys/lucia/actividad.md:13:17: warning: step \"Paga con tarjeta\" has no emotion [missing-emotion]",
        "content/journeys/lucia/actividad.md:13:17: warning: drop-off \"Paga con tarjeta\" does not say why customers give up [dropoff-without-pain]",
        "content/journeys/lucia/actividad.md:17:11: warning: stage `Esperar` has 5 steps, more than 4 [too-many-steps]",
        "content/personas/pedro.md:1:1: warning: persona `pedro` has no journey [unused-persona]",
        "content/touchpoints/web.md:1:1: warning: no journey passes through touchpoint `web` [unused-touchpoint]",
    ] {
        assert!(
            stderr.lines().any(|l| l == expected),
            "{expected}\nin\n{stderr}"
        );
    }
    let (code, _, stderr) = run(dir.path(), &["check", "--deny-warnings"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("(warnings denied)"), "{stderr}");
}

#[test]
fn deny_warnings_in_book_toml() {
    let dir = faulty("warnings");
    let book = dir.path().join("book.toml");
    let text = std::fs::read_to_string(&book).unwrap();
    std::fs::write(
        &book,
        text.replace(
            "max-steps-per-stage = 4",
            "max-steps-per-stage = 4\ndeny-warnings = true",
        ),
    )
    .unwrap();
    let (code, _, stderr) = run(dir.path(), &["check"]);
    assert_eq!(code, 1, "{stderr}");
}

#[test]
fn handoff_gaps_are_warnings_with_the_owners_and_the_drop() {
    let (_, _, stderr) = run(&fixture("es"), &["check"]);
    assert!(stderr.lines().any(|l| l
        == "content/journeys/lucia/actividad.md:19:17: warning: journey `lucia/actividad` has a handoff gap: ventas → reparto at \"Espera 50 minutos\" (emotion drops from feliz to enojado) [handoff-gap]"),
        "{stderr}");
}

#[test]
fn json_format_is_one_array_with_positions() {
    let dir = faulty("unknown-owner");
    let (code, stdout, _) = run(dir.path(), &["check", "--format", "json"]);
    assert_eq!(code, 1);
    let diags: Vec<serde_json::Value> = serde_json::from_str(&stdout).expect("json array");
    let d = diags
        .iter()
        .find(|d| d["code"] == "unknown-owner")
        .expect("the owner error");
    assert_eq!(d["file"], "content/journeys/lucia/b2b.md");
    assert_eq!(d["line"], 12);
    assert_eq!(d["column"], 9);
    assert_eq!(d["end"]["line"], 12);
    assert_eq!(d["end"]["column"], 19);
    assert_eq!(d["severity"], "error");
    assert_eq!(d["message"], "unknown owner `marketng`");
    assert_eq!(d["help"], "did you mean `marketing`?");
}

#[test]
fn github_format_is_workflow_commands() {
    let dir = faulty("unknown-persona");
    let (code, stdout, _) = run(dir.path(), &["check", "--format", "github"]);
    assert_eq!(code, 1);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("::error "))
        .expect("an error command");
    assert_eq!(
        line,
        "::error file=content/journeys/lucia/actividad.md,line=3,col=10,endColumn=15,title=unknown-persona::unknown persona `lucai`%0Ahelp: did you mean `lucia`?"
    );
    assert!(stdout.lines().any(|l| l.starts_with("::warning file=")));
}

#[test]
fn no_book_toml_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run(dir.path(), &["check"]);
    assert_eq!(code, 2);
    assert!(stderr.starts_with("error: no book.toml in"), "{stderr}");
    assert!(stderr.contains("journeydoc init"), "{stderr}");
}

#[test]
fn bad_arguments_are_usage_errors() {
    let (code, _, _) = run(&fixture("es"), &["check", "--format", "xml"]);
    assert_eq!(code, 2);
    let (code, _, _) = run(&fixture("es"), &["chekc"]);
    assert_eq!(code, 2);
}

#[test]
fn a_book_with_only_a_title_checks() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("book.toml"), "[book]\ntitle = \"Solo\"\n").unwrap();
    std::fs::create_dir(dir.path().join("content")).unwrap();
    let (code, _, stderr) = run(dir.path(), &["check"]);
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn drafts_are_left_out_unless_asked_for() {
    let dir = faulty("warnings");
    let pedro = dir.path().join("content/personas/pedro.md");
    std::fs::write(&pedro, "---\nname: Pedro\ndraft: true\n---\n").unwrap();
    let (_, _, stderr) = run(dir.path(), &["check"]);
    assert!(!stderr.contains("pedro"), "{stderr}");
    let (_, _, stderr) = run(dir.path(), &["check", "--drafts"]);
    assert!(
        stderr.contains("persona `pedro` has no journey"),
        "{stderr}"
    );
}

#[test]
fn hidden_and_private_files_are_ignored() {
    let dir = faulty("empty-file");
    let content = dir.path().join("content");
    std::fs::rename(
        content.join("personas/vacia.md"),
        content.join("personas/_vacia.md"),
    )
    .unwrap();
    std::fs::create_dir(content.join(".git")).unwrap();
    std::fs::write(content.join(".git/x.md"), "").unwrap();
    let (code, _, stderr) = run(dir.path(), &["check"]);
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn crlf_and_bom_keep_line_numbers_right() {
    let dir = faulty("unknown-persona");
    let file = dir.path().join("content/journeys/lucia/actividad.md");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("\u{feff}{}", text.replace('\n', "\r\n"))).unwrap();
    let (code, _, stderr) = run(dir.path(), &["check"]);
    assert_eq!(code, 1);
    assert!(
        stderr.lines().any(|l| l == "content/journeys/lucia/actividad.md:3:10: error: unknown persona `lucai` [unknown-persona]"),
        "{stderr}"
    );
}

#[test]
fn free_pages_may_be_plain_markdown_but_journeys_need_front_matter() {
    let dir = faulty("warnings");
    let content = dir.path().join("content");
    std::fs::write(
        content.join("guia.md"),
        "# Guía\n\nVer [Lucía](@persona/lucia).\n",
    )
    .unwrap();
    std::fs::write(content.join("journeys/lucia/suelto.md"), "# Sin datos\n").unwrap();
    let (code, _, stderr) = run(dir.path(), &["check"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(!stderr.contains("content/guia.md"), "{stderr}");
    assert!(
        stderr.lines().any(|l| l == "content/journeys/lucia/suelto.md:1:1: error: the file does not start with front matter [no-front-matter]"),
        "{stderr}"
    );
}

#[test]
fn a_book_toml_that_is_not_utf8_is_a_content_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("book.toml"), b"[book]\ntitle = \"\xff\"\n").unwrap();
    let (code, _, stderr) = run(dir.path(), &["check"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr
            .lines()
            .any(|l| l == "book.toml:2:10: error: the file is not valid UTF-8 text [not-utf8]"),
        "{stderr}"
    );
}

#[test]
fn what_authors_really_write_is_understood() {
    let dir = faulty("warnings");
    let journey = dir.path().join("content/journeys/lucia/actividad.md");
    let text = std::fs::read_to_string(&journey).unwrap();
    // An unquoted `>:(` (not valid YAML as written), an owner by its display
    // name, a stage name in the other language without its accent.
    let text = text.replace("emotion: \">:(\"", "emotion: >:(").replace(
        "    steps:\n      - action: Abre",
        "    steps:\n      - owner: Ventas\n        action: Abre",
    );
    std::fs::write(&journey, text).unwrap();
    let b2b = dir.path().join("content/journeys/lucia/b2b.md");
    let text = std::fs::read_to_string(&b2b).unwrap();
    std::fs::write(
        &b2b,
        text.replace("name = \"Decisión\"", "name = \"decision\""),
    )
    .unwrap();
    let (code, stdout, stderr) = run(dir.path(), &["check", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let diags: Vec<serde_json::Value> = serde_json::from_str(&stdout).unwrap();
    assert!(diags.iter().all(|d| d["severity"] == "warning"), "{stdout}");
}

#[test]
fn any_spelling_of_the_content_folder_is_the_same_folder() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("es"), dir.path());
    let book = std::fs::read_to_string(dir.path().join("book.toml")).unwrap();
    let absolute = dir.path().join("content").display().to_string();
    for spelling in ["./content", "content/", "./content//", absolute.as_str()] {
        std::fs::write(
            dir.path().join("book.toml"),
            format!("{book}\n[build]\ncontent-dir = \"{spelling}\"\n"),
        )
        .unwrap();
        let (code, _, stderr) = run(dir.path(), &["check"]);
        assert_eq!(code, 0, "content-dir = {spelling}: {stderr}");
        assert!(
            stderr.contains(": 0 errors, 1 warning"),
            "{spelling}: {stderr}"
        );
        assert!(!stderr.contains("free page"), "{spelling}: {stderr}");
    }
}

#[test]
fn a_page_that_collides_with_a_built_in_page_is_a_check_error_at_its_file() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("es"), dir.path());
    std::fs::write(
        dir.path().join("content/insights.md"),
        "---\ntitle: Nuestros hallazgos\n---\nTexto.\n",
    )
    .unwrap();
    let (code, _, stderr) = run(dir.path(), &["check"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("content/insights.md:1:1: error: this page would be written to `insights.html`, which another page of the handbook already uses [page-collision]"),
        "{stderr}"
    );
    assert!(
        stderr.contains("= help: rename the file or give it another `id:`"),
        "{stderr}"
    );
    // `build` refuses it for the same reason, with the same words.
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("site");
    let (code, _, build) = run(dir.path(), &["build", "--output", target.to_str().unwrap()]);
    assert_eq!(code, 1, "{build}");
    assert!(build.contains("[page-collision]"), "{build}");
    assert!(!target.exists());

    // A persona whose page is the personas index: the same error at the
    // persona's file.
    std::fs::remove_file(dir.path().join("content/insights.md")).unwrap();
    let lucia = std::fs::read_to_string(dir.path().join("content/personas/lucia.md")).unwrap();
    std::fs::write(dir.path().join("content/personas/index.md"), lucia).unwrap();
    let (code, _, stderr) = run(dir.path(), &["check"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("content/personas/index.md:1:1: error: this persona's page would be written to `personas/index.html`"),
        "{stderr}"
    );
}

/// `[check] evidence = "pains"`: one warning per journey whose pains cite no
/// study, listing each with its line; `--deny-warnings` makes it the CI
/// gate. `max-research-age`: a study that ended long ago is named with the
/// steps resting on it (the only check that reads today's date).
#[test]
fn evidence_rules_warn_and_deny_warnings_gates_them() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("es"), dir.path());
    copy_tree(&fixture("faults/unknown-research"), dir.path());
    edit(dir.path(), "content/journeys/lucia/actividad.md", |t| {
        t.replace("evidence: [entrevista]", "evidence: [entrevistas]")
    });
    edit(dir.path(), "book.toml", |t| {
        t.replace(
            "max-steps-per-stage = 4",
            "max-steps-per-stage = 4\nevidence = \"pains\"\nmax-research-age = 24",
        )
    });
    std::fs::write(
        dir.path().join("content/research/entrevistas.md"),
        "---\ntitle: Entrevistas con clientes\nmethod: entrevista\ndate: 2001-01-31\nparticipants: 8\n---\n",
    )
    .unwrap();
    let (code, _, stderr) = run(dir.path(), &["check"]);
    assert_eq!(code, 0, "{stderr}");
    // Lucía's pizza order cites its pain; the B2B journey's pain-free, so
    // only the stale study is named.
    assert!(!stderr.contains("unevidenced-pain"), "{stderr}");
    let stale = stderr
        .lines()
        .find(|l| l.contains("[stale-research]"))
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(
        stale.starts_with("content/research/entrevistas.md:4:7: warning: study `entrevistas` ended on 2001-01-31, "),
        "{stale}"
    );
    assert!(
        stale.ends_with(
            "months ago (more than max-research-age = 24); 1 step rests on it [stale-research]"
        ),
        "{stale}"
    );

    // A pain without evidence: one warning for the journey, with its line.
    edit(dir.path(), "content/journeys/lucia/b2b.md", |t| {
        t.replace(
            "emotion = 1\n",
            "emotion = 1\npain = \"Nadie confirma el pedido\"\n",
        )
    });
    let (code, _, stderr) = run(dir.path(), &["check"]);
    assert_eq!(code, 0, "{stderr}");
    let warning = stderr
        .lines()
        .find(|l| l.contains("[unevidenced-pain]"))
        .unwrap_or_else(|| panic!("{stderr}"));
    assert_eq!(
        warning,
        "content/journeys/lucia/b2b.md:17:10: warning: journey `lucia/b2b` has a pain without evidence: line 17 \"Pide 20 pizzas\" [unevidenced-pain]"
    );
    let (code, _, stderr) = run(dir.path(), &["check", "--deny-warnings"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains(warning), "{stderr}");
    assert!(stderr.contains("(warnings denied)"), "{stderr}");
    // build agrees: with the gate in book.toml it refuses the same content.
    edit(dir.path(), "book.toml", |t| {
        t.replace("[check]", "[check]\ndeny-warnings = true")
    });
    let (code, _, _) = run(dir.path(), &["build"]);
    assert_eq!(code, 1);
}

/// The command-line conventions: completions for each shell, a manual page,
/// `--color` over the terminal guess (and over `NO_COLOR` when asked).
#[test]
fn completions_man_page_and_color_choice() {
    let dir = faulty("csv-bad-date");
    for (shell, mark) in [
        ("bash", "_journeydoc()"),
        ("zsh", "#compdef journeydoc"),
        ("fish", "complete -c journeydoc"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let (code, out, err) = run(dir.path(), &["completions", shell]);
        assert_eq!(code, 0, "{shell}: {err}");
        assert!(out.contains(mark), "{shell}: {out}");
        for sub in ["check", "build", "serve", "export", "diff"] {
            assert!(out.contains(sub), "{shell} completes {sub}");
        }
    }
    // The bash script is valid bash.
    let (_, script, _) = run(dir.path(), &["completions", "bash"]);
    let file = dir.path().join("journeydoc.bash");
    std::fs::write(&file, &script).unwrap();
    let bash = std::process::Command::new("bash")
        .arg("-n")
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        bash.status.success(),
        "{}",
        String::from_utf8_lossy(&bash.stderr)
    );
    // The version, alone and at the top of the help.
    let (code, version, _) = run(dir.path(), &["--version"]);
    assert_eq!(code, 0);
    assert_eq!(
        version,
        format!("journeydoc {}\n", env!("CARGO_PKG_VERSION"))
    );
    let (_, help, _) = run(dir.path(), &["--help"]);
    assert!(help.starts_with(&version), "{help}");
    let (code, man, _) = run(dir.path(), &["man"]);
    assert_eq!(code, 0);
    // Debian's man-db renders it without a warning.
    let page = dir.path().join("journeydoc.1");
    std::fs::write(&page, &man).unwrap();
    let shown = std::process::Command::new("man")
        .args(["--warnings", "-l"])
        .arg(&page)
        .env("MANWIDTH", "80")
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .output()
        .expect("man (Debian's man-db) is installed");
    assert!(shown.status.success());
    assert_eq!(String::from_utf8_lossy(&shown.stderr), "", "man warnings");
    let shown = String::from_utf8_lossy(&shown.stdout);
    assert!(
        shown.contains("journeydoc - Markdown customer journeys"),
        "{shown}"
    );
    for sub in ["check", "build", "serve", "diff", "completions"] {
        assert!(shown.contains(sub), "{sub} in the manual");
    }
    assert!(
        man.starts_with(".ie") || man.contains(".TH journeydoc 1"),
        "{man}"
    );
    assert!(man.contains(".TH journeydoc 1"));
    assert!(man.contains("check"));
    // The fault has an error: coloured only when asked (the tests' runs set
    // NO_COLOR and are not on a terminal).
    let (code, _, always) = run(dir.path(), &["--color", "always", "check"]);
    assert_eq!(code, 1);
    assert!(always.contains("\u{1b}["), "{always}");
    let (_, _, never) = run(dir.path(), &["--color", "never", "check"]);
    assert!(!never.contains("\u{1b}["), "{never}");
    let (_, _, auto) = run(dir.path(), &["check"]);
    assert!(!auto.contains("\u{1b}["));
}
