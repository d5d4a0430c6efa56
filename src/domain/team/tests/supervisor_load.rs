//! Tests of a supervisor's load per term.

use super::*;

fn supervised(n: usize, term: &str) -> Vec<(i32, String, Vec<String>)> {
    (0..n)
        .map(|i| {
            (
                i as i32 + 100,
                format!("COSP group {i}"),
                vec![term.to_string()],
            )
        })
        .collect()
}

#[test]
fn supervisor_load_at_four_in_the_same_term_is_refused() {
    let spring = ["spring 2026".to_string()];
    let p = supervisor_load(&ruth(), &spring, &supervised(4, "spring 2026"), 4).unwrap();
    assert_eq!(p.rule, Rule::SupervisorLoad);
    assert_eq!(p.person_id, Some(5));
    assert!(
        p.message
            .starts_with("Ruth Okoye already supervises 4 groups in spring 2026"),
        "{}",
        p.message
    );
    assert!(
        p.message.contains("at most 4 groups a term"),
        "{}",
        p.message
    );
}

#[test]
fn supervisor_load_at_three_is_allowed() {
    let spring = ["spring 2026".to_string()];
    assert_eq!(
        supervisor_load(&ruth(), &spring, &supervised(3, "spring 2026"), 4),
        None
    );
}

#[test]
fn supervisor_load_in_another_term_is_allowed() {
    let spring = ["spring 2026".to_string()];
    assert_eq!(
        supervisor_load(&ruth(), &spring, &supervised(4, "autumn 2026"), 4),
        None
    );
    // A cohort spanning two terms is refused if either is full.
    let both = ["spring 2026".to_string(), "summer 2026".to_string()];
    let p = supervisor_load(&ruth(), &both, &supervised(4, "summer 2026"), 4).unwrap();
    assert!(p.message.contains("summer 2026"), "{}", p.message);
}

#[test]
fn supervisor_load_counts_a_cohort_listed_twice_once() {
    let spring = ["spring 2026".to_string()];
    let mut others = supervised(3, "spring 2026");
    others.push(others[0].clone());
    assert_eq!(supervisor_load(&ruth(), &spring, &others, 4), None);
}
