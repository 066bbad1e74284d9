//! Code highlighting at build time with syntect (pure-Rust regex), using CSS
//! classes so one stylesheet serves the light and the dark scheme.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use syntect::html::{ClassStyle, css_for_theme_with_class_style, line_tokens_to_classed_spans};
use syntect::parsing::{ParseState, ScopeStack, SyntaxSet};
use syntect::util::LinesWithEndings;

/// Classes are prefixed so they never clash with the theme's own.
const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// The syntaxes: syntect's defaults plus bat's extras (TOML, TypeScript…).
fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(two_face::syntax::extra_newlines)
}

/// Highlighted HTML for `code` (the inside of a `<pre><code>`), or escaped
/// plain text when the language is unknown.
pub fn highlight(code: &str, lang: &str) -> String {
    let set = syntaxes();
    let token = lang.split([',', ' ']).next().unwrap_or("").trim();
    let syntax = match token.to_ascii_lowercase().as_str() {
        "" | "text" | "plain" | "txt" => None,
        "sh" | "shell" | "console" => set.find_syntax_by_token("bash"),
        "yml" => set.find_syntax_by_token("yaml"),
        t => set.find_syntax_by_token(t),
    };
    let Some(syntax) = syntax else {
        return super::escape(code);
    };
    // What `ClassedHTMLGenerator` does, line by line, with each line's
    // result remembered: a line highlights the same way whenever the parser
    // reaches it in the same state.
    let mut state = (ParseState::new(syntax), ScopeStack::new());
    let mut html = String::with_capacity(code.len() * 2);
    let mut open: isize = 0;
    for line in LinesWithEndings::from(code) {
        let Some(delta) = highlight_line(
            std::ptr::from_ref(syntax) as usize,
            &mut state,
            line,
            &mut html,
        ) else {
            return super::escape(code);
        };
        open += delta;
    }
    for _ in 0..open {
        html.push_str("</span>");
    }
    html
}

/// The parser's state between lines.
type LineState = (ParseState, ScopeStack);

/// A line highlighted once: the state it was reached in, its HTML, the
/// spans it opened (or closed), and the state after it.
struct Seen {
    before: LineState,
    html: String,
    delta: isize,
    after: LineState,
}

/// Lines remembered: by syntax, then by text (a bounded number of them).
#[derive(Default)]
struct Memo {
    lines: HashMap<usize, HashMap<String, Vec<Seen>>>,
    count: usize,
}

/// How many lines the memo keeps (about 100 bytes of state each).
const MEMO_LINES: usize = 200_000;

fn memo() -> &'static Mutex<Memo> {
    static MEMO: OnceLock<Mutex<Memo>> = OnceLock::new();
    MEMO.get_or_init(Mutex::default)
}

/// Appends `line` highlighted to `html` and moves `state` past it; the span
/// delta, or `None` if syntect fails on it.
fn highlight_line(
    syntax: usize,
    state: &mut LineState,
    line: &str,
    html: &mut String,
) -> Option<isize> {
    if let Ok(memo) = memo().lock()
        && let Some(seen) = memo
            .lines
            .get(&syntax)
            .and_then(|m| m.get(line))
            .and_then(|list| list.iter().find(|s| s.before == *state))
    {
        html.push_str(&seen.html);
        state.clone_from(&seen.after);
        return Some(seen.delta);
    }
    let before = state.clone();
    let ops = state.0.parse_line(line, syntaxes()).ok()?;
    let (out, delta) = line_tokens_to_classed_spans(line, &ops, CLASS_STYLE, &mut state.1).ok()?;
    html.push_str(&out);
    if let Ok(mut memo) = memo().lock()
        && memo.count < MEMO_LINES
    {
        memo.count += 1;
        memo.lines
            .entry(syntax)
            .or_default()
            .entry(line.to_owned())
            .or_default()
            .push(Seen {
                before,
                html: out,
                delta,
                after: state.clone(),
            });
    }
    Some(delta)
}

/// CSS for the highlighting classes: a light theme, and a dark one inside
/// `prefers-color-scheme: dark`.
pub fn css() -> String {
    let themes = two_face::theme::extra();
    let light = themes.get(two_face::theme::EmbeddedThemeName::InspiredGithub);
    let dark = themes.get(two_face::theme::EmbeddedThemeName::Base16OceanDark);
    let (light_source, dark_source) = (source_css(light), source_css(dark));
    let light = css_for_theme_with_class_style(light, CLASS_STYLE).unwrap_or_default();
    let dark = css_for_theme_with_class_style(dark, CLASS_STYLE).unwrap_or_default();
    // Code sits on the page's card colour (`pre.code`): every colour the
    // themes give text is pushed to WCAG AA contrast against it.
    // The dark block starts with the light theme's rules made readable on
    // the dark card: a scope only the light theme colours would otherwise
    // keep its dark colour there.
    let dark = format!(
        "{}\n{}",
        readable(&light, DARK_CARD),
        readable(&dark, DARK_CARD)
    );
    let (light, light_source) = (
        readable(&light, LIGHT_CARD),
        readable(&light_source, LIGHT_CARD),
    );
    let dark_source = readable(&dark_source, DARK_CARD);
    format!(
        "/* Code highlighting (syntect). */\n{light}\n{light_source}@media (prefers-color-scheme: dark) {{\n{dark}\n{dark_source}}}\n"
    )
}

/// `--card` of the default theme, light and dark (style.css).
const LIGHT_CARD: [u8; 3] = [0xff, 0xff, 0xff];
const DARK_CARD: [u8; 3] = [0x1b, 0x21, 0x2a];
/// WCAG AA for normal text is 4.5:1; a little more survives rounding.
const MIN_CONTRAST: f64 = 4.6;

fn luminance([r, g, b]: [u8; 3]) -> f64 {
    let lin = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// `colour` moved towards black (on a light background) or white (on a
/// dark one) until it reads at [`MIN_CONTRAST`] against `bg`; unchanged when
/// it already does.
fn readable_colour(colour: [u8; 3], bg: [u8; 3]) -> [u8; 3] {
    let towards: u8 = if luminance(bg) > 0.5 { 0 } else { 255 };
    let mut c = colour;
    let mut step = 0;
    while contrast(c, bg) < MIN_CONTRAST && step < 40 {
        step += 1;
        let t = f64::from(step) / 40.0;
        c = colour.map(|x| (f64::from(x) + (f64::from(towards) - f64::from(x)) * t).round() as u8);
    }
    c
}

/// `css` with every text `color: #rrggbb` made [`readable_colour`] on `bg`
/// (background colours are left as they are).
fn readable(css: &str, bg: [u8; 3]) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(at) = rest.find("color: #") {
        let background = rest[..at].ends_with("background-");
        let hex_at = at + "color: #".len();
        out.push_str(&rest[..hex_at]);
        rest = &rest[hex_at..];
        let hex = rest
            .get(..6)
            .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
        match hex {
            Some(h) if !background => {
                let n = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).unwrap_or(0);
                let [r, g, b] = readable_colour([n(0), n(2), n(4)], bg);
                out.push_str(&format!("{r:02x}{g:02x}{b:02x}"));
                rest = &rest[6..];
            }
            _ => {}
        }
    }
    out.push_str(rest);
    out
}

/// The journey source view's one-letter classes (see [`source`]), coloured
/// as the theme colours the scopes they stand for.
const SOURCE_CLASSES: &[(&str, &[&str])] = &[
    ("k", &["source.yaml", "entity.name.tag.yaml"]),
    ("t", &["source.toml", "entity.name.section"]),
    ("s", &["source.yaml", "string.quoted.double.yaml"]),
    ("n", &["source.yaml", "constant.numeric"]),
    ("c", &["source.yaml", "comment.line"]),
    ("h", &["text.html.markdown", "markup.heading.markdown"]),
];

fn source_css(theme: &syntect::highlighting::Theme) -> String {
    use std::fmt::Write;
    use syntect::highlighting::{FontStyle, Highlighter};
    use syntect::parsing::Scope;
    let highlighter = Highlighter::new(theme);
    let mut css = String::new();
    for (class, scopes) in SOURCE_CLASSES {
        let stack: Vec<Scope> = scopes.iter().filter_map(|s| Scope::new(s).ok()).collect();
        let style = highlighter.style_for_stack(&stack);
        let c = style.foreground;
        let _ = write!(
            css,
            ".source code .{class} {{ color: #{:02x}{:02x}{:02x};",
            c.r, c.g, c.b
        );
        if style.font_style.contains(FontStyle::BOLD) {
            css.push_str(" font-weight: bold;");
        }
        if style.font_style.contains(FontStyle::ITALIC) {
            css.push_str(" font-style: italic;");
        }
        css.push_str(" }\n");
    }
    css
}

#[cfg(test)]
mod tests {
    use super::*;

    /// syntect's own generator, without the memo.
    fn plain_syntect(code: &str, token: &str) -> String {
        let set = syntaxes();
        let syntax = set.find_syntax_by_token(token).unwrap();
        let mut g =
            syntect::html::ClassedHTMLGenerator::new_with_class_style(syntax, set, CLASS_STYLE);
        for line in LinesWithEndings::from(code) {
            g.parse_html_for_line_which_includes_newline(line).unwrap();
        }
        g.finalize()
    }

    #[test]
    fn remembered_lines_highlight_as_syntect_does() {
        // The same line in different parser states (inside a block comment
        // and outside it, in a string and not), highlighted twice over so
        // the second pass comes from the memo.
        let cases = [
            (
                "js",
                "let a = 1; /* open\nlet a = 1;\n*/ let a = 1;\nlet s = `x\nlet a = 1;\n`;\n",
            ),
            ("json", "{\n  \"event\": \"call\",\n  \"score\": 3\n}\n"),
            ("yaml", "a: 1\nb: |\n  a: 1\nc: \"a: 1\"\n"),
            ("rust", "fn main() {\n    let x = \"}\";\n}\n"),
        ];
        for _ in 0..2 {
            for (lang, code) in cases {
                assert_eq!(
                    highlight(code, lang),
                    plain_syntect(code, lang),
                    "{lang}: {code}"
                );
            }
        }
        // A block comment line and the same text outside one differ.
        let inside = highlight("/* a\nlet a = 1;\n*/\n", "js");
        let outside = highlight("let a = 1;\n", "js");
        assert_ne!(inside.lines().nth(1), outside.lines().next());
    }

    #[test]
    fn every_text_colour_reads_at_aa_on_the_card() {
        let css = css();
        let (light, dark) = css.split_once("prefers-color-scheme: dark").unwrap();
        for (part, bg) in [(light, LIGHT_CARD), (dark, DARK_CARD)] {
            let mut n = 0;
            for piece in part.split("color: #").skip(1) {
                let h = &piece[..6];
                let c = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).unwrap();
                if part[..part.find(piece).unwrap()].ends_with("background-color: #") {
                    continue;
                }
                n += 1;
                assert!(contrast([c(0), c(2), c(4)], bg) >= 4.5, "#{h} on {bg:?}");
            }
            assert!(n > 10, "{part}");
        }
        // A colour that already reads is kept.
        assert_eq!(readable_colour([0, 0, 0], LIGHT_CARD), [0, 0, 0]);
        assert_eq!(
            readable(".a { background-color: #ffff00; }", LIGHT_CARD),
            ".a { background-color: #ffff00; }"
        );
    }

    #[test]
    fn yaml_toml_and_unknown_languages() {
        let y = highlight("title: Carla\n", "yaml");
        assert!(y.contains("hl-"), "{y}");
        let t = highlight("[book]\ntitle = \"x\"\n", "toml");
        assert!(t.contains("hl-"), "{t}");
        assert_eq!(highlight("<b>", "nope"), "&lt;b&gt;");
        let css = css();
        assert!(css.contains("prefers-color-scheme: dark"));
        // The source view's classes, in both schemes, with real colours.
        assert_eq!(
            css.matches(".source code .k { color: #").count(),
            2,
            "{css}"
        );
        assert!(!css.contains(".source code .k { color: #000000"), "{css}");
    }
}

/// A fast, line-based highlighter for the journey source shown on every
/// journey page: front-matter keys (`k`), TOML tables (`t`), strings (`s`),
/// numbers (`n`), comments (`c`) and Markdown headings (`h`), one-letter
/// classes coloured like syntect's scopes (at 10,000 journeys syntect's
/// long class lists were 9 KB of every journey page). syntect's regex engine
/// costs milliseconds per file, which at thousands of journeys dominated the
/// build; fenced code blocks in bodies still go through syntect.
pub fn source(text: &str, front_lang: &str, front_end: usize) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let in_front = offset < front_end && offset > 0;
        offset += line.len();
        let (content, newline) = match line.strip_suffix('\n') {
            Some(c) => (c, "\n"),
            None => (line, ""),
        };
        if !in_front {
            if content.trim_start().starts_with('#')
                || content.trim() == "---"
                || content.trim() == "+++"
            {
                span(&mut out, "h", content);
            } else {
                super::escape_into(&mut out, content);
            }
        } else if content.trim_start().starts_with('#') {
            span(&mut out, "c", content);
        } else if front_lang == "toml" {
            toml_line(&mut out, content);
        } else {
            yaml_line(&mut out, content);
        }
        out.push_str(newline);
    }
    out
}

fn span(out: &mut String, class: &str, text: &str) {
    if text.is_empty() {
        return;
    }
    out.push_str("<span class=");
    out.push_str(class);
    out.push('>');
    super::escape_into(out, text);
    out.push_str("</span>");
}

fn is_key(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '"' | '\''))
}

fn yaml_line(out: &mut String, line: &str) {
    let indent = line.len() - line.trim_start().len();
    out.push_str(&line[..indent]);
    let mut rest = &line[indent..];
    if let Some(r) = rest.strip_prefix("- ") {
        out.push_str("- ");
        rest = r;
    }
    if let Some(colon) = rest.find(':')
        && is_key(&rest[..colon])
        && (rest.len() == colon + 1 || rest[colon + 1..].starts_with(' '))
    {
        span(out, "k", &rest[..colon]);
        out.push(':');
        value(out, &rest[colon + 1..]);
    } else {
        value(out, rest);
    }
}

fn toml_line(out: &mut String, line: &str) {
    let trimmed = line.trim_start();
    if trimmed.starts_with('[') {
        out.push_str(&line[..line.len() - trimmed.len()]);
        span(out, "t", trimmed);
    } else if let Some(eq) = line.find('=')
        && is_key(line[..eq].trim())
    {
        span(out, "k", &line[..eq]);
        out.push('=');
        value(out, &line[eq + 1..]);
    } else {
        value(out, line);
    }
}

/// A value: quoted text, a number or a word.
fn value(out: &mut String, v: &str) {
    let t = v.trim();
    let lead = &v[..v.len() - v.trim_start().len()];
    out.push_str(lead);
    let class = if t.parse::<f64>().is_ok() || matches!(t, "true" | "false") {
        "n"
    } else {
        "s"
    };
    span(out, class, t);
    out.push_str(&v[lead.len() + t.len()..]);
}

#[cfg(test)]
mod source_tests {
    use super::*;

    #[test]
    fn keys_strings_and_headings() {
        let text =
            "---\ntitle: \"Carla\"\nstages:\n  - name: Buy\n    weight: 3\n---\n## Buy\ntext <b>\n";
        let html = source(text, "yaml", 46);
        assert!(html.contains("<span class=k>title</span>:"), "{html}");
        assert!(
            html.contains("<span class=s>&quot;Carla&quot;</span>"),
            "{html}"
        );
        assert!(html.contains("<span class=n>3</span>"), "{html}");
        assert!(html.contains("<span class=h>## Buy</span>"), "{html}");
        assert!(html.contains("text &lt;b&gt;"), "{html}");
        // Nothing lost: the text of the output is the input.
        let stripped: String = html
            .split('<')
            .map(|p| p.split_once('>').map_or(p, |x| x.1))
            .collect();
        assert_eq!(
            stripped
                .replace("&quot;", "\"")
                .replace("&lt;", "<")
                .replace("&gt;", ">"),
            text
        );
    }
}
