//! The pages' templates (`templates/pages/`, embedded at build time) and their words: a template
//! says `t("page-…", count=…)` and gets the Fluent message in the page's language (English where
//! a language lacks it, never the key).

use crate::domain::message::Language;
use crate::messages::words::{self, Args};
use fluent_templates::fluent_bundle::FluentValue;
use minijinja::value::{Kwargs, Value};
use minijinja::{Environment, Error, ErrorKind, State};
use std::borrow::Cow;
use std::sync::OnceLock;

const TEMPLATES: [(&str, &str); 9] = [
    (
        "base.html",
        include_str!("../../../templates/pages/base.html"),
    ),
    (
        "programme.html",
        include_str!("../../../templates/pages/programme.html"),
    ),
    (
        "group.html",
        include_str!("../../../templates/pages/group.html"),
    ),
    (
        "print.html",
        include_str!("../../../templates/pages/print.html"),
    ),
    (
        "card.html",
        include_str!("../../../templates/pages/card.html"),
    ),
    (
        "facts.html",
        include_str!("../../../templates/pages/facts.html"),
    ),
    (
        "call.html",
        include_str!("../../../templates/pages/call.html"),
    ),
    (
        "dates.html",
        include_str!("../../../templates/pages/dates.html"),
    ),
    // Staff's printable monitoring report (`api::monitoring::report_page`), in English.
    (
        "report.html",
        include_str!("../../../templates/reports/summary.html"),
    ),
];

fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        for (name, source) in TEMPLATES {
            if let Err(e) = env.add_template(name, source) {
                // A template that does not parse is a build mistake the page tests catch.
                tracing::error!(name, error = %e, "a page template does not parse");
            }
        }
        env.add_function("t", translate);
        env
    })
}

/// The page's language, as the context names it.
fn page_language(state: &State) -> Language {
    state
        .lookup("lang")
        .and_then(|v| v.as_str().and_then(Language::parse))
        .unwrap_or(Language::En)
}

fn translate(state: &State, key: &str, kwargs: Kwargs) -> Result<String, Error> {
    let mut args = Args::new();
    for name in kwargs.args() {
        let v: Value = kwargs.get(name)?;
        let value = match i64::try_from(v.clone()) {
            Ok(n) => FluentValue::from(n),
            Err(_) => FluentValue::from(v.to_string()),
        };
        args.insert(Cow::Owned(name.to_string()), value);
    }
    let said = words::say(page_language(state), key, &args);
    if said.is_empty() {
        return Err(Error::new(
            ErrorKind::UndefinedError,
            format!("no words for {key}"),
        ));
    }
    Ok(said)
}

/// A page from its template and context; `None` (logged) if the template fails, which the
/// handler answers as a server error.
pub fn page(name: &str, context: Value) -> Result<String, String> {
    environment()
        .get_template(name)
        .and_then(|t| t.render(context))
        .map_err(|e| format!("page {name}: {e:#}"))
}
