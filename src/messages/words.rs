//! The words of every message, per language, from the Fluent files in `locales/` (embedded at
//! build time), and dates and times written the way each language writes them.

use crate::domain::message::Language;
use chrono::{DateTime, Locale};
use chrono_tz::Tz;
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};
use std::borrow::Cow;
use std::collections::HashMap;

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // Messages are plain text and HTML, not bidirectional UI: no isolation marks around
        // the variables.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The named values a message's words are filled with.
pub type Args = HashMap<Cow<'static, str>, FluentValue<'static>>;

fn tag(lang: Language) -> LanguageIdentifier {
    let english = fluent_templates::langid!("en");
    lang.for_messages().as_str().parse().unwrap_or(english)
}

/// The words for `id` in `lang`, or in English where that language lacks them. Never the id
/// itself: a message missing even in English (a mistake a unit test catches) reads as empty.
pub fn say(lang: Language, id: &str, args: &Args) -> String {
    LOCALES
        .try_lookup_with_args(&tag(lang), id, args)
        .unwrap_or_else(|| {
            tracing::error!(id, "a message has no English words");
            String::new()
        })
}

/// Whether `lang` itself has words for `id` (no falling back): for the tests of the translations.
pub fn written_in(lang: Language, id: &str) -> bool {
    // Every value any message takes, so that only a missing message fails the lookup.
    let mut every: HashMap<String, FluentValue> = HashMap::new();
    for name in [
        "group",
        "programme",
        "venue",
        "date",
        "start",
        "end",
        "reason",
        "link",
        "email",
        "confirm",
        "child",
        "time",
        "what",
        "first_aid",
    ] {
        every.insert(name.to_string(), FluentValue::from("x"));
    }
    every.insert("count".to_string(), FluentValue::from(2));
    every.insert("position".to_string(), FluentValue::from(3));
    every.insert("hours".to_string(), FluentValue::from(1));
    every.insert("days".to_string(), FluentValue::from(14));
    LOCALES
        .lookup_single_language(&tag(lang), id, Some(&every))
        .is_ok()
}

fn locale(lang: Language) -> Locale {
    match lang.for_messages() {
        Language::Pt => Locale::pt_PT,
        Language::Es => Locale::es_ES,
        Language::Pl => Locale::pl_PL,
        _ => Locale::en_GB,
    }
}

/// A day as the language writes it: "Tuesday 3 March 2027", "terça, 3 de março de 2027".
pub fn day(lang: Language, at: DateTime<Tz>) -> String {
    let pattern = match lang.for_messages() {
        Language::Pt | Language::Es => "%A, %-d de %B de %Y",
        Language::Pl => "%A, %-d %B %Y",
        _ => "%A %-d %B %Y",
    };
    at.format_localized(pattern, locale(lang)).to_string()
}

/// A time of day on the 24-hour clock, as all four languages write it on a timetable.
pub fn time(at: DateTime<Tz>) -> String {
    at.format("%H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use chrono_tz::Europe::London;

    fn args(pairs: &[(&'static str, &str)]) -> Args {
        pairs
            .iter()
            .map(|(k, v)| (Cow::Borrowed(*k), FluentValue::from(v.to_string())))
            .collect()
    }

    #[test]
    fn dates_are_written_the_way_each_language_writes_them() {
        let at = London.with_ymd_and_hms(2027, 3, 2, 10, 0, 0).unwrap();
        assert_eq!(day(Language::En, at), "Tuesday 2 March 2027");
        assert_eq!(day(Language::Pt, at), "terça, 2 de março de 2027");
        assert_eq!(day(Language::Es, at), "martes, 2 de marzo de 2027");
        assert_eq!(day(Language::Pl, at), "wtorek, 2 marca 2027");
        assert_eq!(day(Language::So, at), "Tuesday 2 March 2027");
        assert_eq!(time(at), "10:00");
    }

    #[test]
    fn a_message_comes_in_the_family_s_language_with_its_values_filled_in() {
        let a = args(&[("group", "Together Time")]);
        assert_eq!(
            say(Language::En, "booking-cancelled-subject", &a),
            "Your booking for Together Time is cancelled"
        );
        let pt = say(Language::Pt, "booking-cancelled-subject", &a);
        assert!(
            pt.contains("Together Time")
                && pt != say(Language::En, "booking-cancelled-subject", &a)
        );
    }

    #[test]
    fn every_message_has_english_words_and_a_missing_translation_reads_english() {
        let ids = crate::messages::compose::ALL_WORDS;
        for id in ids {
            assert!(written_in(Language::En, id), "{id} has no English");
            for lang in [Language::Pt, Language::Es, Language::Pl] {
                assert!(written_in(lang, id), "{id} has no {lang}");
            }
        }
        // A message one language lacks is read in English there.
        assert!(!written_in(Language::Pl, "untranslated-check"));
        assert_eq!(
            say(Language::Pl, "untranslated-check", &Args::new()),
            "This sentence is only written in English."
        );
        // A language the service does not write reads English, never the id.
        let a = args(&[("group", "Circle of Security")]);
        assert_eq!(
            say(Language::So, "group-cancelled-subject", &a),
            "Circle of Security will not go ahead"
        );
        assert_eq!(say(Language::Pt, "no-such-message", &a), "");
    }
}
