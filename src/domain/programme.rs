//! What a programme is, as rules: its shape must make sense before any cohort is planned on it.

use std::collections::BTreeMap;

/// Qualifications staff can hold; a programme names which one its lead (and co-facilitator) needs.
pub const QUALIFICATIONS: &[&str] = &[
    "clinical",
    "cosp_registered",
    "paediatric_first_aid",
    "supervisor",
];

/// The parts of a programme definition that have rules between them.
#[derive(Debug, Clone)]
pub struct ProgrammeShape {
    pub session_count: i32,
    pub min_age_months: i32,
    pub max_age_months: i32,
    pub completion_threshold: i32,
    pub lead_qualification: Option<String>,
    pub co_facilitator_required: bool,
    pub co_facilitator_qualification: Option<String>,
}

/// Field → problems, for a 422. Empty when the programme is coherent.
pub fn problems(p: &ProgrammeShape) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut add = |field: &str, msg: String| out.entry(field.to_string()).or_default().push(msg);
    if p.max_age_months <= p.min_age_months {
        add(
            "max_age_months",
            "must be greater than min_age_months".into(),
        );
    }
    if p.completion_threshold > p.session_count {
        add(
            "completion_threshold",
            format!("cannot be more than the {} sessions", p.session_count),
        );
    }
    for (field, q) in [
        ("lead_qualification", &p.lead_qualification),
        (
            "co_facilitator_qualification",
            &p.co_facilitator_qualification,
        ),
    ] {
        if let Some(q) = q {
            if !QUALIFICATIONS.contains(&q.as_str()) {
                add(
                    field,
                    format!("must be one of {}", QUALIFICATIONS.join(", ")),
                );
            }
        }
    }
    if p.co_facilitator_qualification.is_some() && !p.co_facilitator_required {
        add(
            "co_facilitator_qualification",
            "needs co_facilitator_required".into(),
        );
    }
    out
}

/// Programme codes are short slugs used in URLs and reports: `together-time`, `cosp`.
pub fn code_ok(code: &str) -> bool {
    (2..=40).contains(&code.len())
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !code.starts_with('-')
        && !code.ends_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cosp() -> ProgrammeShape {
        ProgrammeShape {
            session_count: 8,
            min_age_months: 0,
            max_age_months: 48,
            completion_threshold: 6,
            lead_qualification: Some("cosp_registered".into()),
            co_facilitator_required: true,
            co_facilitator_qualification: None,
        }
    }

    #[test]
    fn built_in_shape_is_coherent() {
        assert!(problems(&cosp()).is_empty());
    }

    #[test]
    fn incoherent_shapes_name_the_field() {
        let mut p = cosp();
        p.completion_threshold = 9;
        p.max_age_months = 0;
        p.lead_qualification = Some("degree".into());
        let e = problems(&p);
        assert!(e.contains_key("completion_threshold"));
        assert!(e.contains_key("max_age_months"));
        assert!(e.contains_key("lead_qualification"));
    }

    #[test]
    fn codes_are_slugs() {
        assert!(code_ok("together-time"));
        assert!(code_ok("antenatal-2"));
        assert!(!code_ok("Together Time"));
        assert!(!code_ok("-x"));
        assert!(!code_ok("x"));
    }
}
