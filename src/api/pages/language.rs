//! Which of the languages the pages are written in a visitor reads: `?lang=` when it names one,
//! else the browser's `Accept-Language` preference, else English.

use crate::domain::message::Language;

/// The languages the public pages are written in, with each one's name in itself.
pub const WRITTEN: [(Language, &str); 4] = [
    (Language::En, "English"),
    (Language::Pt, "Português"),
    (Language::Es, "Español"),
    (Language::Pl, "Polski"),
];

fn written(code: &str) -> Option<Language> {
    let primary = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    WRITTEN
        .iter()
        .map(|(l, _)| *l)
        .find(|l| l.as_str() == primary)
}

/// The page language for a `lang` query value and an `Accept-Language` header.
pub fn negotiate(lang: Option<&str>, accept: Option<&str>) -> Language {
    if let Some(l) = lang.and_then(written) {
        return l;
    }
    // RFC 9110 §12.5.4: the highest weight wins, the first listed among equals.
    let mut best: Option<(Language, u32)> = None;
    for item in accept.unwrap_or("").split(',') {
        let mut parts = item.split(';');
        let Some(l) = parts.next().and_then(written) else {
            continue;
        };
        let q = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .map_or(Some(1000), |q| {
                q.trim()
                    .parse::<f32>()
                    .ok()
                    .filter(|q| (0.0..=1.0).contains(q))
                    .map(|q| (q * 1000.0).round() as u32)
            });
        if let Some(q) = q.filter(|q| *q > 0) {
            if best.is_none_or(|(_, b)| q > b) {
                best = Some((l, q));
            }
        }
    }
    best.map_or(Language::En, |(l, _)| l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_wins_then_the_browser_s_preference_then_english() {
        assert_eq!(negotiate(Some("pl"), Some("pt")), Language::Pl);
        assert_eq!(
            negotiate(Some("so"), Some("es-ES,es;q=0.9")),
            Language::Es,
            "not written: ignored"
        );
        assert_eq!(negotiate(None, Some("pt-BR")), Language::Pt);
        assert_eq!(
            negotiate(None, Some("fr;q=1, pl;q=0.4, es;q=0.7")),
            Language::Es
        );
        assert_eq!(negotiate(None, Some("so, ar")), Language::En);
        assert_eq!(negotiate(None, Some("es;q=0, pt;q=nonsense")), Language::En);
        assert_eq!(negotiate(None, None), Language::En);
        assert_eq!(negotiate(Some("PT"), None), Language::Pt);
    }
}
