//! The five-point emotion scale and every spelling SPEC 3 accepts.

use serde::Serialize;

use crate::config::Language;
use crate::text::fold;

/// How the customer feels at a step, from -2 (angry) to 2 (delighted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Emotion {
    Angry,
    Frustrated,
    Neutral,
    Happy,
    Delighted,
}

impl Emotion {
    pub const ALL: [Emotion; 5] = [
        Emotion::Angry,
        Emotion::Frustrated,
        Emotion::Neutral,
        Emotion::Happy,
        Emotion::Delighted,
    ];

    pub fn score(self) -> i8 {
        match self {
            Emotion::Angry => -2,
            Emotion::Frustrated => -1,
            Emotion::Neutral => 0,
            Emotion::Happy => 1,
            Emotion::Delighted => 2,
        }
    }

    pub fn from_score(score: i64) -> Option<Emotion> {
        Emotion::ALL
            .into_iter()
            .find(|e| i64::from(e.score()) == score)
    }

    /// The word for this emotion in the handbook's language.
    pub fn word(self, lang: Language) -> &'static str {
        let (en, es) = self.words();
        match lang {
            Language::En => en,
            Language::Es => es,
        }
    }

    fn words(self) -> (&'static str, &'static str) {
        match self {
            Emotion::Angry => ("angry", "enojado"),
            Emotion::Frustrated => ("frustrated", "frustrado"),
            Emotion::Neutral => ("neutral", "neutro"),
            Emotion::Happy => ("happy", "feliz"),
            Emotion::Delighted => ("delighted", "encantado"),
        }
    }

    /// Other accepted spellings: emoticons and Spanish feminine forms.
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            Emotion::Angry => &[">:(", "enojada", "enfadado", "enfadada"],
            Emotion::Frustrated => &[":(", "frustrada"],
            Emotion::Neutral => &[":i", ":|", "neutra"],
            Emotion::Happy => &[":)"],
            Emotion::Delighted => &[":d", "encantada"],
        }
    }

    /// Parses a word (English or Spanish, any case), an emoticon or a score
    /// written as text (`"-1"`).
    pub fn parse(text: &str) -> Option<Emotion> {
        let t = fold(text);
        if let Ok(n) = t.parse::<i64>() {
            return Emotion::from_score(n);
        }
        Emotion::ALL.into_iter().find(|e| {
            let (en, es) = e.words();
            t == en || t == es || e.aliases().contains(&t.as_str())
        })
    }

    /// Every accepted word, for "did you mean".
    pub fn spellings() -> Vec<&'static str> {
        Emotion::ALL
            .into_iter()
            .flat_map(|e| {
                let (en, es) = e.words();
                [en, es]
            })
            .collect()
    }
}

/// An average emotion as every page and picture shows it: the mean of the
/// scores (−2..2) and how many there are, `None` for none.
pub fn mean(scores: impl IntoIterator<Item = i8>) -> Option<(f64, usize)> {
    let (sum, count) = scores
        .into_iter()
        .fold((0.0, 0usize), |(sum, n), s| (sum + f64::from(s), n + 1));
    (count > 0).then(|| (sum / count as f64, count))
}

/// A mean rounded to one decimal as shown (`+1.2`, `0.0`, `-0.8`: never
/// `-0.0` or `+0.0`), with its rounded value.
pub fn shown(mean: f64) -> (f64, String) {
    let mut rounded = (mean * 10.0).round() / 10.0;
    if rounded == 0.0 {
        rounded = 0.0; // no "-0.0"
    }
    let text = if rounded == 0.0 {
        "0.0".to_owned()
    } else {
        format!("{rounded:+.1}")
    };
    (rounded, text)
}

impl Serialize for Emotion {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i8(self.score())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_the_scale() {
        let cases = [
            ("delighted", 2),
            ("Encantado", 2),
            (":D", 2),
            ("happy", 1),
            ("feliz", 1),
            (":)", 1),
            ("neutral", 0),
            ("neutro", 0),
            (":I", 0),
            (":|", 0),
            ("frustrated", -1),
            ("frustrado", -1),
            (":(", -1),
            ("angry", -2),
            ("enojado", -2),
            (">:(", -2),
            ("-2", -2),
            ("2", 2),
        ];
        for (text, score) in cases {
            assert_eq!(
                Emotion::parse(text).map(Emotion::score),
                Some(score),
                "{text}"
            );
        }
        assert_eq!(Emotion::parse("3"), None);
        assert_eq!(Emotion::parse("hapy"), None);
    }
}
