//! A generated handbook for benchmarks and scale tests: N journeys
//! (≈5 stages × 4 steps, 1–3 touchpoints per step from a pool of N/20, six
//! departments, ≈2 KB of Markdown body with headings, a list, a table and
//! a code block), N/10 personas, and beside it the same content as plain
//! pages for Hugo and mdBook (the body plus the steps as a Markdown table),
//! so all three tools chew through comparable Markdown. Deterministic:
//! splitmix64 from a seed. `cargo run --release --example gen` is the
//! command-line front end.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

/// splitmix64: small, deterministic, good enough for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const DEPARTMENTS: &[(&str, &str)] = &[
    ("marketing", "Marketing"),
    ("sales", "Sales"),
    ("service", "Customer service"),
    ("logistics", "Logistics"),
    ("store", "Stores"),
    ("it", "IT"),
];
const CHANNELS: &[&str] = &[
    "web", "app", "email", "phone", "chat", "store", "social", "ads",
];
const EMOTIONS: &[&str] = &[
    "angry",
    "frustrated",
    "neutral",
    "happy",
    "delighted",
    ":)",
    ":(",
    "1",
    "-1",
];
const VERBS: &[&str] = &[
    "Searches for",
    "Compares",
    "Reads about",
    "Asks a friend about",
    "Orders",
    "Calls about",
    "Returns",
    "Tracks",
    "Reviews",
    "Cancels",
    "Pays for",
    "Picks up",
    "Chats about",
    "Books",
];
const OBJECTS: &[&str] = &[
    "a backpack",
    "hiking boots",
    "a tent",
    "a room for two nights",
    "a pizza",
    "the delivery",
    "her loyalty points",
    "the invoice",
    "a replacement part",
    "the warranty",
    "a gift card",
    "a class on knots",
    "a rain jacket",
    "the opening hours",
];
const WORDS: &[&str] = &[
    "customer",
    "journey",
    "store",
    "order",
    "service",
    "agent",
    "touchpoint",
    "handoff",
    "delivery",
    "website",
    "emotion",
    "pain",
    "loyalty",
    "return",
    "queue",
    "call",
    "email",
    "experience",
    "team",
    "owner",
    "research",
    "interview",
    "backstage",
    "channel",
    "moment",
    "stage",
    "insight",
    "feedback",
    "survey",
    "promise",
    "data",
    "system",
    "account",
];
const ACTIVITY_STAGES: &[&str] = &[
    "Search",
    "Compare",
    "Book",
    "Check-in",
    "Stay",
    "Check-out",
    "Review",
];
const ENGAGEMENT: &[&str] = &[
    "Awareness",
    "Interest",
    "Consideration",
    "Purchase",
    "Post-purchase",
    "Repurchase",
];
const GOAL: &[&str] = &[
    "Decision frame",
    "Decision making",
    "Transaction",
    "Evaluation",
];
const B2B: &[&str] = &[
    "Out of market",
    "Trigger",
    "Initial research",
    "Active evaluation",
    "Purchase decision",
    "Experience",
    "Loyalty",
];

fn sentence(rng: &mut Rng, words: usize) -> String {
    let mut s = String::new();
    for i in 0..words {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(rng.pick(WORDS));
    }
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect::<String>() + ".",
        None => s,
    }
}

struct Step {
    action: String,
    touchpoints: Vec<usize>,
    emotion: &'static str,
    owner: usize,
    pain: Option<String>,
    /// The study it cites and the opportunity it names (the new layer).
    evidence: Option<usize>,
    opportunity: Option<usize>,
}

struct Journey {
    id: String,
    persona: usize,
    lens: &'static str,
    title: String,
    stages: Vec<(&'static str, Vec<Step>)>,
    body: String,
}

/// ≈2 KB of Markdown: headings, a list, a table and a code block.
fn body(rng: &mut Rng, stages: &[(&'static str, Vec<Step>)]) -> String {
    let mut b = String::new();
    b.push_str("## Context\n\n");
    for _ in 0..3 {
        b.push_str(&sentence(rng, 14));
        b.push(' ');
    }
    b.push_str("\n\n## What we heard\n\n");
    for _ in 0..5 {
        let _ = writeln!(b, "- {}", sentence(rng, 8));
    }
    b.push_str("\n## Stage notes\n\n| Stage | Finding | Priority |\n|---|---|---|\n");
    for (name, _) in stages {
        let _ = writeln!(
            b,
            "| {name} | {} | {} |",
            sentence(rng, 6),
            1 + rng.below(3)
        );
    }
    b.push_str("\n### Event sent to the CRM\n\n```json\n{\n");
    let _ = writeln!(b, "  \"event\": \"{}\",", rng.pick(WORDS));
    let _ = writeln!(b, "  \"score\": {},", rng.below(100));
    let _ = writeln!(b, "  \"channel\": \"{}\"\n}}\n```\n", rng.pick(CHANNELS));
    b.push_str("## Next steps\n\n");
    for i in 1..=4 {
        let _ = writeln!(b, "{i}. {}", sentence(rng, 10));
    }
    b.push('\n');
    for _ in 0..4 {
        b.push_str(&sentence(rng, 16));
        b.push(' ');
    }
    b.push('\n');
    b
}

fn journey(rng: &mut Rng, n: usize, personas: usize, touchpoints: usize) -> Journey {
    let persona = n % personas;
    let (lens, names): (&str, &[&str]) = match n / personas % 4 {
        0 => ("activity", ACTIVITY_STAGES),
        1 => ("engagement", ENGAGEMENT),
        2 => ("goal", GOAL),
        _ => ("b2b", B2B),
    };
    // ≈5 stages in lens order (a strict lens may skip stages).
    let take = 5.min(names.len());
    let skip = names.len() - take;
    let start = if skip > 0 { rng.below(skip + 1) } else { 0 };
    let stage_count = if names.len() < 5 { names.len() } else { take };
    let steps_per = if names.len() < 5 { 5 } else { 4 };
    let mut stages = Vec::new();
    for name in &names[start..start + stage_count] {
        let mut steps = Vec::new();
        for _ in 0..steps_per {
            let k = 1 + rng.below(3);
            let mut tps: Vec<usize> = (0..k).map(|_| rng.below(touchpoints)).collect();
            tps.sort_unstable();
            tps.dedup();
            steps.push(Step {
                action: format!("{} {}", rng.pick(VERBS), rng.pick(OBJECTS)),
                touchpoints: tps,
                emotion: rng.pick(EMOTIONS),
                owner: rng.below(DEPARTMENTS.len()),
                pain: rng.chance(30).then(|| sentence(rng, 7)),
                evidence: None,
                opportunity: None,
            });
        }
        stages.push((*name, steps));
    }
    let title = format!("{} {} (journey {n})", rng.pick(VERBS), rng.pick(OBJECTS));
    let body = body(rng, &stages);
    Journey {
        id: format!("j{n}"),
        persona,
        lens,
        title,
        stages,
        body,
    }
}

fn write(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    fs::write(path, text)
}

fn yaml_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn journeydoc_file(j: &Journey) -> String {
    let mut f = String::new();
    let _ = writeln!(
        f,
        "---\ntitle: {}\npersona: p{}\nlens: {}",
        yaml_string(&j.title),
        j.persona,
        j.lens
    );
    f.push_str("stages:\n");
    for (name, steps) in &j.stages {
        let _ = writeln!(f, "  - name: {name}\n    steps:");
        for s in steps {
            let tps: Vec<String> = s.touchpoints.iter().map(|t| format!("t{t}")).collect();
            let _ = writeln!(f, "      - action: {}", s.action);
            let _ = writeln!(f, "        touchpoints: [{}]", tps.join(", "));
            let _ = writeln!(f, "        emotion: {}", yaml_string(s.emotion));
            let _ = writeln!(f, "        owner: {}", DEPARTMENTS[s.owner].0);
            if let Some(p) = &s.pain {
                let _ = writeln!(f, "        pain: {p}");
            }
            if let Some(r) = s.evidence {
                let _ = writeln!(f, "        evidence: [r{r}]");
            }
            if let Some(o) = s.opportunity {
                let _ = writeln!(f, "        opportunities: [o{o}]");
            }
        }
    }
    f.push_str("---\n");
    f.push_str(&j.body);
    f
}

/// The steps as a Markdown table, for the peers that have no journey model.
fn steps_table(j: &Journey) -> String {
    let mut t = String::from(
        "## Steps\n\n| Stage | Action | Touchpoints | Emotion | Owner | Pain |\n|---|---|---|---|---|---|\n",
    );
    for (name, steps) in &j.stages {
        for s in steps {
            let tps: Vec<String> = s
                .touchpoints
                .iter()
                .map(|t| format!("Touchpoint {t}"))
                .collect();
            let _ = writeln!(
                t,
                "| {name} | {} | {} | {} | {} | {} |",
                s.action,
                tps.join(", "),
                s.emotion.replace('|', "\\|"),
                DEPARTMENTS[s.owner].1,
                layer_notes(s)
            );
        }
    }
    t.push('\n');
    t
}

/// A step's pain, and its study and opportunity when it has them, as the
/// peers' table cell says them.
fn layer_notes(s: &Step) -> String {
    let mut cell = s.pain.clone().unwrap_or_default();
    if let Some(r) = s.evidence {
        let _ = write!(cell, " (evidence: Study {r})");
    }
    if let Some(o) = s.opportunity {
        let _ = write!(cell, " (opportunity: Opportunity {o})");
    }
    cell
}

fn persona_text(rng: &mut Rng, p: usize) -> (String, String) {
    let name = format!("Persona {p}");
    let mut body = String::new();
    for _ in 0..3 {
        body.push_str(&sentence(rng, 12));
        body.push(' ');
    }
    body.push('\n');
    (name, body)
}

/// Writes a corpus of `n` journeys under `out` (which should be empty):
/// `out/journeydoc`, `out/hugo` and `out/mdbook`. The same seed gives the
/// same bytes.
pub fn write_corpus(out: &Path, n: usize, seed: u64) -> std::io::Result<()> {
    write_corpus_with(out, n, seed, 0).map(|_| ())
}

/// [`write_corpus`], with `months` monthly measurements in
/// `journeydoc/data/` (0: none): per journey NPS, CSAT, CES and each
/// stage's CES; per touchpoint CSAT. Returns how many rows were written
/// (10,000 journeys × 12 months ≈ 970,000).
pub fn write_corpus_with(out: &Path, n: usize, seed: u64, months: usize) -> std::io::Result<usize> {
    write_corpus_layered(out, n, seed, months, false)
}

/// [`write_corpus_with`], and with `layer` the new layer too: studies
/// (`content/research/`, one per 50 journeys, at least 5) cited by the steps
/// with a pain, opportunities (likewise) named by half of those steps, and
/// a future state for every tenth journey (same persona, lens and stages,
/// better emotions, realising an opportunity); the peers get the same
/// content as pages. Drawn from a random stream of its own: the rest of the
/// corpus is the same with or without it.
pub fn write_corpus_layered(
    out: &Path,
    n: usize,
    seed: u64,
    months: usize,
    layer: bool,
) -> std::io::Result<usize> {
    let personas = (n / 10).max(1);
    let touchpoints = (n / 20).max(20);
    let mut rng = Rng(seed);
    let jd = out.join("journeydoc");
    let hugo = out.join("hugo");
    let mdbook = out.join("mdbook");

    let mut book = String::from(
        "[book]\ntitle = \"Generated handbook\"\nlanguage = \"en\"\n\n[build]\nbase-url = \"/\"\n\n[departments]\n",
    );
    for (id, name) in DEPARTMENTS {
        let _ = writeln!(book, "{id} = \"{name}\"");
    }
    book.push_str("\n[lenses.b2b]\ntitle = \"B2B buying\"\nstages = [");
    book.push_str(
        &B2B.iter()
            .map(|s| format!("\"{s}\""))
            .collect::<Vec<_>>()
            .join(", "),
    );
    book.push_str("]\n");
    write(&jd.join("book.toml"), &book)?;
    write(
        &jd.join("content/_index.md"),
        "# Generated handbook\n\nA corpus for benchmarks.\n",
    )?;
    write(
        &hugo.join("hugo.toml"),
        "baseURL = \"http://localhost/\"\ntitle = \"Generated handbook\"\ndisableKinds = [\"taxonomy\", \"term\", \"RSS\"]\n",
    )?;
    // A minimal layout like ours: title, navigation back up, the page.
    write(
        &hugo.join("layouts/_default/baseof.html"),
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{{ .Title }}</title></head>\n<body><nav><a href=\"{{ \"/\" | relURL }}\">Home</a>{{ with .Parent }} · <a href=\"{{ .RelPermalink }}\">{{ .Title }}</a>{{ end }}</nav>\n<main>{{ block \"main\" . }}{{ end }}</main></body></html>\n",
    )?;
    write(
        &hugo.join("layouts/_default/single.html"),
        "{{ define \"main\" }}<h1>{{ .Title }}</h1>{{ .Content }}{{ end }}\n",
    )?;
    write(
        &hugo.join("layouts/_default/list.html"),
        "{{ define \"main\" }}<h1>{{ .Title }}</h1>{{ .Content }}<ul>{{ range .Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}\n",
    )?;
    write(
        &hugo.join("content/_index.md"),
        "---\ntitle: Generated handbook\n---\nA corpus for benchmarks.\n",
    )?;
    write(
        &mdbook.join("book.toml"),
        "[book]\ntitle = \"Generated handbook\"\nlanguage = \"en\"\n\n[output.html]\nno-section-label = true\n",
    )?;
    let mut summary = String::from("# Summary\n\n[Introduction](README.md)\n\n");
    write(
        &mdbook.join("src/README.md"),
        "# Generated handbook\n\nA corpus for benchmarks.\n",
    )?;

    for t in 0..touchpoints {
        let channel = CHANNELS[t % CHANNELS.len()];
        let owner = DEPARTMENTS[t % DEPARTMENTS.len()];
        let text = sentence(&mut rng, 12);
        write(
            &jd.join(format!("content/touchpoints/t{t}.md")),
            &format!(
                "---\nname: Touchpoint {t}\nchannel: {channel}\nowner: {}\n---\n{text}\n",
                owner.0
            ),
        )?;
        let plain = format!("Channel: {channel}. Owner: {}.\n\n{text}\n", owner.1);
        write(
            &hugo.join(format!("content/touchpoints/t{t}.md")),
            &format!("---\ntitle: Touchpoint {t}\n---\n{plain}"),
        )?;
        write(
            &mdbook.join(format!("src/touchpoints/t{t}.md")),
            &format!("# Touchpoint {t}\n\n{plain}"),
        )?;
    }
    let mut persona_journeys: Vec<Vec<Journey>> = (0..personas).map(|_| Vec::new()).collect();
    for i in 0..n {
        let j = journey(&mut rng, i, personas, touchpoints);
        persona_journeys[j.persona].push(j);
    }
    let (studies, opportunities) = ((n / 50).max(5), (n / 50).max(5));
    let mut lrng = Rng(seed ^ 0x9e37_79b9_7f4a_7c15);
    if layer {
        for j in persona_journeys.iter_mut().flatten() {
            for (_, steps) in &mut j.stages {
                for s in steps.iter_mut().filter(|s| s.pain.is_some()) {
                    s.evidence = Some(lrng.below(studies));
                    s.opportunity = lrng.chance(50).then(|| lrng.below(opportunities));
                }
            }
        }
    }
    let rows = if months > 0 {
        measurements(
            &jd.join("data"),
            &persona_journeys,
            touchpoints,
            months,
            seed,
        )?
    } else {
        0
    };
    for (p, journeys) in persona_journeys.iter().enumerate() {
        let (name, text) = persona_text(&mut rng, p);
        let channels = format!("[{}, {}]", CHANNELS[p % 8], CHANNELS[(p + 3) % 8]);
        write(
            &jd.join(format!("content/personas/p{p}.md")),
            &format!(
                "---\nname: {name}\nrole: Customer\ngoals: [{}]\nchannels: {channels}\n---\n{text}",
                sentence(&mut rng, 5)
            ),
        )?;
        write(
            &hugo.join(format!("content/personas/p{p}/_index.md")),
            &format!("---\ntitle: {name}\n---\n{text}"),
        )?;
        write(
            &mdbook.join(format!("src/personas/p{p}.md")),
            &format!("# {name}\n\n{text}"),
        )?;
        let _ = writeln!(summary, "- [{name}](personas/p{p}.md)");
        for j in journeys {
            write(
                &jd.join(format!("content/journeys/p{p}/{}.md", j.id)),
                &journeydoc_file(j),
            )?;
            let plain = format!("{}\n{}", steps_table(j), j.body);
            write(
                &hugo.join(format!("content/personas/p{p}/{}.md", j.id)),
                &format!("---\ntitle: {}\n---\n{plain}", yaml_string(&j.title)),
            )?;
            write(
                &mdbook.join(format!("src/personas/p{p}/{}.md", j.id)),
                &format!("# {}\n\n{plain}", j.title),
            )?;
            let _ = writeln!(summary, "  - [{}](personas/p{p}/{}.md)", j.title, j.id);
        }
    }
    if layer {
        write_layer(
            &jd,
            &hugo,
            &mdbook,
            &mut summary,
            &persona_journeys,
            studies,
            opportunities,
            &mut lrng,
        )?;
    }
    summary.push_str("- [Touchpoints](touchpoints.md)\n");
    write(&mdbook.join("src/touchpoints.md"), "# Touchpoints\n")?;
    for t in 0..touchpoints {
        let _ = writeln!(summary, "  - [Touchpoint {t}](touchpoints/t{t}.md)");
    }
    write(&mdbook.join("src/SUMMARY.md"), &summary)?;
    Ok(rows)
}

/// The new layer's files for the three tools: studies, opportunities and
/// future states.
#[allow(clippy::too_many_arguments)]
fn write_layer(
    jd: &Path,
    hugo: &Path,
    mdbook: &Path,
    summary: &mut String,
    persona_journeys: &[Vec<Journey>],
    studies: usize,
    opportunities: usize,
    rng: &mut Rng,
) -> std::io::Result<()> {
    const METHODS: &[&str] = &[
        "interview",
        "survey",
        "observation",
        "usability-test",
        "analytics",
    ];
    const STATUSES: &[&str] = &["idea", "planned", "in-progress", "done", "dropped"];
    summary.push_str("- [Research](research.md)\n");
    write(&mdbook.join("src/research.md"), "# Research\n")?;
    for r in 0..studies {
        let method = METHODS[r % METHODS.len()];
        let owner = DEPARTMENTS[r % DEPARTMENTS.len()];
        let people = 5 + rng.below(40);
        let text = format!(
            "{}\n\n- {}\n- {}\n",
            sentence(rng, 20),
            sentence(rng, 8),
            sentence(rng, 8)
        );
        write(
            &jd.join(format!("content/research/r{r}.md")),
            &format!(
                "---\ntitle: Study {r}\nmethod: {method}\ndate: 2026-0{}-15\nparticipants: {people}\nowner: {}\n---\n{text}",
                1 + r % 9,
                owner.0
            ),
        )?;
        let plain = format!(
            "Method: {method}. Participants: {people}. Owner: {}.\n\n{text}",
            owner.1
        );
        write(
            &hugo.join(format!("content/research/r{r}.md")),
            &format!("---\ntitle: Study {r}\n---\n{plain}"),
        )?;
        write(
            &mdbook.join(format!("src/research/r{r}.md")),
            &format!("# Study {r}\n\n{plain}"),
        )?;
        let _ = writeln!(summary, "  - [Study {r}](research/r{r}.md)");
    }
    summary.push_str("- [Opportunities](opportunities.md)\n");
    write(&mdbook.join("src/opportunities.md"), "# Opportunities\n")?;
    for o in 0..opportunities {
        let status = STATUSES[o % STATUSES.len()];
        let owner = DEPARTMENTS[(o + 1) % DEPARTMENTS.len()];
        let (impact, effort) = (1 + rng.below(5), 1 + rng.below(5));
        let text = sentence(rng, 18);
        write(
            &jd.join(format!("content/opportunities/o{o}.md")),
            &format!(
                "---\ntitle: Opportunity {o}\nstatus: {status}\nowner: {}\nimpact: {impact}\neffort: {effort}\n---\n{text}\n",
                owner.0
            ),
        )?;
        let plain = format!(
            "Status: {status}. Owner: {}. Impact {impact}, effort {effort}.\n\n{text}\n",
            owner.1
        );
        write(
            &hugo.join(format!("content/opportunities/o{o}.md")),
            &format!("---\ntitle: Opportunity {o}\n---\n{plain}"),
        )?;
        write(
            &mdbook.join(format!("src/opportunities/o{o}.md")),
            &format!("# Opportunity {o}\n\n{plain}"),
        )?;
        let _ = writeln!(summary, "  - [Opportunity {o}](opportunities/o{o}.md)");
    }
    for (p, journeys) in persona_journeys.iter().enumerate() {
        for j in journeys
            .iter()
            .filter(|j| j.id[1..].parse::<usize>().is_ok_and(|n| n % 10 == 9))
        {
            let better: Vec<(&'static str, Vec<Step>)> = j
                .stages
                .iter()
                .map(|(name, steps)| {
                    let steps = steps
                        .iter()
                        .map(|s| Step {
                            action: s.action.clone(),
                            touchpoints: s.touchpoints.clone(),
                            emotion: ["happy", "delighted"][rng.below(2)],
                            owner: s.owner,
                            pain: None,
                            evidence: None,
                            opportunity: None,
                        })
                        .collect();
                    (*name, steps)
                })
                .collect();
            let future = Journey {
                id: format!("{}-future", j.id),
                persona: j.persona,
                lens: j.lens,
                title: format!("{} (redesign)", j.title),
                stages: better,
                body: j.body.clone(),
            };
            let realises = rng.below(opportunities);
            let file = journeydoc_file(&future).replacen(
                &format!("lens: {}\n", j.lens),
                &format!(
                    "lens: {}\nstate: future\nredesigns: p{p}/{}\nrealises: [o{realises}]\n",
                    j.lens, j.id
                ),
                1,
            );
            write(
                &jd.join(format!("content/journeys/p{p}/{}.md", future.id)),
                &file,
            )?;
            let plain = format!(
                "Redesigns {}. Realises Opportunity {realises}.\n\n{}\n{}",
                j.title,
                steps_table(&future),
                future.body
            );
            write(
                &hugo.join(format!("content/personas/p{p}/{}.md", future.id)),
                &format!("---\ntitle: {}\n---\n{plain}", yaml_string(&future.title)),
            )?;
            write(
                &mdbook.join(format!("src/personas/p{p}/{}.md", future.id)),
                &format!("# {}\n\n{plain}", future.title),
            )?;
            let _ = writeln!(
                summary,
                "  - [{}](personas/p{p}/{}.md)",
                future.title, future.id
            );
        }
    }
    Ok(())
}

/// Monthly rows from 2025-01 on: `journeys.csv` (NPS, CSAT, CES per
/// journey and CES per stage) and `touchpoints.csv` (CSAT), written as a
/// survey tool's export would be, with a sample size.
fn measurements(
    dir: &Path,
    persona_journeys: &[Vec<Journey>],
    touchpoints: usize,
    months: usize,
    seed: u64,
) -> std::io::Result<usize> {
    use std::io::Write;
    fs::create_dir_all(dir)?;
    let mut rng = Rng(seed ^ 0x5eed);
    let month = |m: usize| format!("{}-{:02}", 2025 + m / 12, m % 12 + 1);
    let mut rows = 0;
    let mut w = std::io::BufWriter::new(fs::File::create(dir.join("journeys.csv"))?);
    writeln!(w, "date,metric,value,journey,stage,n")?;
    for (p, journeys) in persona_journeys.iter().enumerate() {
        for j in journeys {
            let id = format!("p{p}/{}", j.id);
            for m in 0..months {
                let d = month(m);
                let n = 40 + rng.below(200);
                let nps = rng.below(121) as i64 - 40;
                writeln!(w, "{d},nps,{nps},{id},,{n}")?;
                writeln!(w, "{d},csat,{},{id},,{n}", 40 + rng.below(60))?;
                writeln!(
                    w,
                    "{d},ces,{}.{},{id},,{n}",
                    1 + rng.below(6),
                    rng.below(10)
                )?;
                rows += 3;
                for (stage, _) in &j.stages {
                    writeln!(
                        w,
                        "{d},ces,{}.{},{id},{stage},{n}",
                        1 + rng.below(6),
                        rng.below(10)
                    )?;
                    rows += 1;
                }
            }
        }
    }
    w.flush()?;
    let mut w = std::io::BufWriter::new(fs::File::create(dir.join("touchpoints.csv"))?);
    writeln!(w, "date,metric,value,touchpoint,n")?;
    for t in 0..touchpoints {
        for m in 0..months {
            writeln!(
                w,
                "{},csat,{},t{t},{}",
                month(m),
                40 + rng.below(60),
                100 + rng.below(900)
            )?;
            rows += 1;
        }
    }
    w.flush()?;
    Ok(rows)
}
