//! Rules the OpenAPI document states for every request, applied in one place after utoipa built
//! it (issue 21), so a generated client cannot build a request the server refuses:
//! - an id a request names (`id`, `*_id`, `*_ids`, a team member) is `minimum: 1`: there are no
//!   others, and the server answers them 404 (paths) or 422 (bodies, filters);
//! - a request string with no pattern, enum or format of its own excludes NUL, which the server
//!   refuses in any body ([`super::json::parse`]) and query (PostgreSQL cannot store it);
//! - the rules JSON Schema cannot state (other fields, stored records, today's date) come from
//!   `openapi/inexpressible-rules.json` and are written into each operation's description; the
//!   same file is the only allowance `.ci/api-checks.sh` gives Schemathesis.

use serde::Deserialize;
use serde_json::{json, Map, Value};

/// Any text without NUL: the server's floor for every string it reads.
pub const NO_NUL: &str = r"^[^\x00]*$";

/// What `str::trim` removes (Rust's `char::is_whitespace`), as the body of a regex class that
/// ECMA-262, Python's `re` and the `regex` crate all read alike.
const TRIMMED: &str = r"\t\n\x0B\x0C\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";
/// Control characters (`char::is_control`), as the body of a regex class.
pub const CONTROLS: &str = r"\x00-\x1F\x7F-\x9F";
/// Control characters but line breaks (names and relations of contacts and collectors).
pub const CONTROLS_BUT_LINE_BREAKS: &str = r"\x00-\x09\x0B\x0C\x0E-\x1F\x7F-\x9F";
/// NUL and line breaks (outcome measures' names: one line, other characters as given).
pub const LINE_BREAKS: &str = r"\x00\n\r";

/// The pattern of text the server trims and then wants `min` (0 or 1) to `max` characters long,
/// none of them in the class `refused` (NUL always is).
pub fn trimmed(min: usize, max: usize, refused: &str) -> String {
    let edge = format!("[^{TRIMMED}{refused}\\x00]");
    let inner = format!("[^{refused}\\x00]");
    let text = match min {
        0 | 1 => format!("{edge}(?:{inner}{{0,{}}}{edge})?", max.saturating_sub(2)),
        _ => format!(
            "{edge}{inner}{{{},{}}}{edge}",
            min - 2,
            max.saturating_sub(2)
        ),
    };
    let text = if min == 0 {
        format!("(?:{text})?")
    } else {
        text
    };
    format!("^[{TRIMMED}]*{text}[{TRIMMED}]*$")
}

/// Text fields the server trims before it checks them: (component, property, whether the rule
/// is on the array's items, least and most characters once trimmed, characters refused).
const TRIMMED_TEXT: &[(&str, &str, bool, usize, usize, &str)] = &[
    // `api::families::checked_profile`: each name 1 to 100 characters once trimmed.
    ("FamilyBody", "carers", true, 1, 100, ""),
    ("EnrolFamilyBody", "carers", true, 1, 100, ""),
    ("NewFamilyBody", "carers", true, 1, 100, ""),
    ("FamilyPatch", "carers", true, 1, 100, ""),
    // `api::catalogue::programmes::measure_names`: 1 to 120 characters on one line.
    (
        "NewProgrammeBody",
        "outcome_measures",
        true,
        1,
        120,
        LINE_BREAKS,
    ),
    (
        "ProgrammeSettingsPatch",
        "outcome_measures",
        true,
        1,
        120,
        LINE_BREAKS,
    ),
    // `domain::apology::reason`: at most 200 characters, one line without control characters.
    ("ApologyBody", "reason", false, 0, 200, CONTROLS),
    // `service::families::care`: names and relations of text, line breaks allowed.
    (
        "CollectorBody",
        "name",
        false,
        1,
        100,
        CONTROLS_BUT_LINE_BREAKS,
    ),
    (
        "CollectorBody",
        "relation",
        false,
        1,
        60,
        CONTROLS_BUT_LINE_BREAKS,
    ),
    (
        "ContactBody",
        "name",
        false,
        1,
        100,
        CONTROLS_BUT_LINE_BREAKS,
    ),
    (
        "ContactBody",
        "relation",
        false,
        1,
        60,
        CONTROLS_BUT_LINE_BREAKS,
    ),
    // `api::admin::users::update_user`: a name not blank.
    ("UserPatch", "display_name", false, 1, 100, ""),
];

/// Query parameters the server trims before it checks them: (operation, parameter, least and
/// most characters once trimmed, characters refused).
const TRIMMED_PARAMS: &[(&str, &str, usize, usize, &str)] = &[
    // `api::families::enrolment::find_families`.
    ("GET /api/v1/families", "q", 2, 100, ""),
];

/// The file, as committed beside `openapi.json`.
pub const INEXPRESSIBLE_RULES: &str = include_str!("../../openapi/inexpressible-rules.json");

/// One rule a schema cannot state: on which operation, what it is, why no schema can say it,
/// and the statuses it is answered with.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InexpressibleRule {
    /// `METHOD /path`, as in the document.
    pub operation: String,
    pub rule: String,
    pub why: String,
    /// 422 unless said otherwise (412 for a stale `If-Match`).
    #[serde(default = "unprocessable")]
    pub statuses: Vec<u16>,
}

fn unprocessable() -> Vec<u16> {
    vec![422]
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    #[allow(dead_code)]
    #[serde(rename = "$comment")]
    comment: Option<String>,
    rules: Vec<InexpressibleRule>,
}

/// The rules listed in `openapi/inexpressible-rules.json`, or why the file cannot be read.
pub fn inexpressible_rules() -> Result<Vec<InexpressibleRule>, String> {
    serde_json::from_str::<RulesFile>(INEXPRESSIBLE_RULES)
        .map(|f| f.rules)
        .map_err(|e| format!("openapi/inexpressible-rules.json: {e}"))
}

/// The heading the rules are listed under in an operation's description.
pub const RULES_HEADING: &str = "Rules the schema cannot state:";

/// Applies the rules above to the document utoipa built. What it cannot apply (a component,
/// parameter or operation named here that the API does not have) is left out and told by
/// [`problems`], which a test holds to none: serving the document never fails for it.
pub fn apply(api: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let Ok(mut doc) = serde_json::to_value(&api) else {
        return api;
    };
    apply_to(&mut doc);
    serde_json::from_value(doc).unwrap_or(api)
}

/// What [`apply`] could not apply to the document utoipa built; none, in a sound build.
pub fn problems(api: &utoipa::openapi::OpenApi) -> Vec<String> {
    match serde_json::to_value(api) {
        Ok(mut doc) => apply_to(&mut doc),
        Err(e) => vec![format!("the document is not JSON: {e}")],
    }
}

fn apply_to(doc: &mut Value) -> Vec<String> {
    let mut problems = Vec::new();
    let mut request_schemas = Vec::new();
    if let Some(paths) = doc["paths"].as_object_mut() {
        for item in paths.values_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for op in item.values_mut() {
                let params = op.get_mut("parameters").and_then(Value::as_array_mut);
                for p in params.into_iter().flatten() {
                    // HTTP cannot carry NUL in a header; `If-Match` has its own rules.
                    if p["in"] == "header" {
                        continue;
                    }
                    let name = p["name"].as_str().unwrap_or_default().to_string();
                    if let Some(schema) = p.get_mut("schema") {
                        constrain(schema, &name, &mut request_schemas);
                    }
                }
                if let Some(content) = op
                    .get_mut("requestBody")
                    .and_then(|b| b.get_mut("content"))
                    .and_then(Value::as_object_mut)
                {
                    for media in content.values_mut() {
                        if let Some(schema) = media.get_mut("schema") {
                            constrain(schema, "", &mut request_schemas);
                        }
                    }
                }
            }
        }
    }
    for (component, property, items, min, max, refused) in TRIMMED_TEXT {
        let Some(field) = property_mut(doc, component, property) else {
            problems.push(format!("{component}.{property} is not in the document"));
            continue;
        };
        let target = if *items {
            field.get_mut("items")
        } else {
            Some(field)
        };
        if let Some(t) = target.and_then(Value::as_object_mut) {
            t.insert("pattern".into(), json!(trimmed(*min, *max, refused)));
        }
    }
    for field in TEAM_IDS {
        let Some(s) = property_mut(doc, "TeamBody", field) else {
            problems.push(format!("TeamBody.{field} is not in the document"));
            continue;
        };
        let s = if s["items"].is_object() {
            &mut s["items"]
        } else {
            s
        };
        if let Some(s) = s.as_object_mut() {
            s.insert("minimum".into(), json!(1));
        }
    }
    for (operation, name, min, max, refused) in TRIMMED_PARAMS {
        let param = operation_mut(doc, operation)
            .and_then(|op| op.get_mut("parameters"))
            .and_then(Value::as_array_mut)
            .and_then(|ps| ps.iter_mut().find(|p| p["name"] == *name))
            .and_then(|p| p.get_mut("schema"))
            .and_then(Value::as_object_mut);
        match param {
            Some(schema) => {
                schema.insert("pattern".into(), json!(trimmed(*min, *max, refused)));
            }
            None => problems.push(format!("{operation} has no parameter {name}")),
        }
    }
    // The components the request bodies name, and those they name in turn.
    let mut done = std::collections::HashSet::new();
    while let Some(name) = request_schemas.pop() {
        if !done.insert(name.clone()) {
            continue;
        }
        if let Some(schema) = doc
            .get_mut("components")
            .and_then(|c| c.get_mut("schemas"))
            .and_then(|s| s.get_mut(&name))
        {
            constrain(schema, "", &mut request_schemas);
        }
    }
    let rules = inexpressible_rules().unwrap_or_else(|e| {
        problems.push(e);
        Vec::new()
    });
    for r in rules {
        let Some(op) = operation_mut(doc, &r.operation).and_then(Value::as_object_mut) else {
            problems.push(format!(
                "openapi/inexpressible-rules.json names {}, which the API does not have",
                r.operation
            ));
            continue;
        };
        let description = op
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let heading = if description.contains(RULES_HEADING) {
            String::new()
        } else if description.is_empty() {
            format!("{RULES_HEADING}\n")
        } else {
            format!("\n\n{RULES_HEADING}\n")
        };
        let codes: Vec<String> = r.statuses.iter().map(u16::to_string).collect();
        op.insert(
            "description".into(),
            json!(format!(
                "{description}{heading}- {} ({}; {})\n",
                r.rule,
                codes.join(", "),
                r.why
            )),
        );
    }
    problems
}

/// The operation `METHOD /path` of the document, if it has one.
fn operation_mut<'a>(doc: &'a mut Value, operation: &str) -> Option<&'a mut Value> {
    let (method, path) = operation.split_once(' ')?;
    doc.get_mut("paths")?
        .get_mut(path)?
        .get_mut(method.to_ascii_lowercase())
}

/// A property of a component schema, if the document has it.
fn property_mut<'a>(doc: &'a mut Value, component: &str, property: &str) -> Option<&'a mut Value> {
    doc.get_mut("components")?
        .get_mut("schemas")?
        .get_mut(component)?
        .get_mut("properties")?
        .get_mut(property)
        .filter(|p| p.is_object())
}

/// Whether a request field or parameter of this name holds a record's id.
fn names_an_id(name: &str) -> bool {
    name == "id" || name.ends_with("_id") || name.ends_with("_ids")
}

/// Staff ids a team names (`PUT /cohorts/{id}/facilitators`), by other names.
const TEAM_IDS: &[&str] = &["lead", "supervisor", "co_facilitators", "creche_workers"];

/// Adds the rules to one schema (`name` is the field or parameter it describes), noting the
/// components it names.
fn constrain(schema: &mut Value, name: &str, refs: &mut Vec<String>) {
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    if let Some(r) = obj.get("$ref").and_then(Value::as_str) {
        if let Some(n) = r.strip_prefix("#/components/schemas/") {
            refs.push(n.to_string());
        }
        return;
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        for s in obj
            .get_mut(key)
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            constrain(s, name, refs);
        }
    }
    if let Some(items) = obj.get_mut("items") {
        constrain(items, name, refs);
    }
    if let Some(props) = obj.get_mut("properties").and_then(Value::as_object_mut) {
        for (field, s) in props.iter_mut() {
            constrain(s, field, refs);
        }
    }
    if let Some(extra) = obj.get_mut("additionalProperties") {
        constrain(extra, "", refs);
    }
    let types = types_of(obj);
    if types.iter().any(|t| t == "integer") && names_an_id(name) && !obj.contains_key("minimum") {
        obj.insert("minimum".into(), json!(1));
    }
    if types.iter().any(|t| t == "string")
        && !["pattern", "enum", "format", "const"]
            .iter()
            .any(|k| obj.contains_key(*k))
    {
        obj.insert("pattern".into(), json!(NO_NUL));
    }
}

fn types_of(obj: &Map<String, Value>) -> Vec<String> {
    match obj.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(|t| t.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::catalogue::programmes::measure_names;
    use crate::domain::apology;
    use regex::Regex;

    /// Tricky text: spaces the server trims, controls, line breaks, lengths at the edges.
    fn corpus() -> Vec<String> {
        let mut out: Vec<String> = [
            "",
            " ",
            "a",
            " a ",
            "\ta\n",
            "a\tb",
            "a\nb",
            "a\rb",
            "a\u{7}b",
            "\u{85}a\u{a0}",
            "\u{3000}",
            "a\u{2003}b",
            "\u{feff}",
            "a\u{9f}",
            "é",
            "\u{1c}a",
            "a\u{0}",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for n in [99, 100, 101, 119, 120, 121, 199, 200, 201] {
            out.push("x".repeat(n));
            out.push(format!("  {}\t", "y".repeat(n)));
            out.push(format!("z{}z", " ".repeat(n.saturating_sub(2))));
        }
        out
    }

    fn agree(pattern: &str, server: impl Fn(&str) -> bool) {
        let re = Regex::new(pattern).unwrap();
        for s in corpus() {
            assert_eq!(
                re.is_match(&s),
                server(&s),
                "{pattern} and the server disagree on {s:?}"
            );
        }
    }

    #[test]
    fn the_patterns_say_what_the_server_checks() {
        agree(&trimmed(1, 120, LINE_BREAKS), |s| {
            !s.contains('\0') && measure_names(&[s.to_string()]).is_ok()
        });
        agree(&trimmed(0, 200, CONTROLS), |s| {
            apology::reason(Some(s)).is_ok()
        });
        // As `checked_profile` checks carers (NUL is refused before any of it).
        agree(&trimmed(1, 100, ""), |s| {
            let t = s.trim();
            !s.contains('\0') && !t.is_empty() && t.chars().count() <= 100
        });
        agree(&trimmed(1, 60, CONTROLS_BUT_LINE_BREAKS), |s| {
            crate::service::families::care::name_ok(s, 60)
        });
        agree(&trimmed(2, 100, ""), |s| {
            !s.contains('\0') && (2..=100).contains(&s.trim().chars().count())
        });
        assert!(Regex::new(NO_NUL).unwrap().is_match("a\u{1}b"));
        assert!(!Regex::new(NO_NUL).unwrap().is_match("a\u{0}b"));
    }
}
