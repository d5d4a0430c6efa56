//! UK postcodes: checked for shape and normalised to upper case with one space ("SW9 8LF").

/// Normalises a UK postcode, or says it is not one.
pub fn normalise(input: &str) -> Option<String> {
    let compact: String = input
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if compact == "GIR0AA" {
        return Some("GIR 0AA".into());
    }
    if !(5..=7).contains(&compact.len()) || !compact.is_ascii() {
        return None;
    }
    let (outward, inward) = compact.split_at(compact.len() - 3);
    let inward_ok = {
        let b = inward.as_bytes();
        b[0].is_ascii_digit() && b[1].is_ascii_alphabetic() && b[2].is_ascii_alphabetic()
    };
    if inward_ok && outward_ok(outward) {
        Some(format!("{outward} {inward}"))
    } else {
        None
    }
}

/// Outward codes: A9, A99, AA9, AA99, A9A, AA9A.
fn outward_ok(s: &str) -> bool {
    let shape: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_digit() {
                '9'
            } else if c.is_ascii_alphabetic() {
                'A'
            } else {
                '?'
            }
        })
        .collect();
    matches!(
        shape.as_str(),
        "A9" | "A99" | "AA9" | "AA99" | "A9A" | "AA9A"
    )
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn real_lambeth_postcodes_normalise() {
        assert_eq!(normalise("sw9 8lf").as_deref(), Some("SW9 8LF"));
        assert_eq!(normalise("SE270DA").as_deref(), Some("SE27 0DA"));
        assert_eq!(normalise(" se5  9ep ").as_deref(), Some("SE5 9EP"));
        assert_eq!(normalise("SW1A 1AA").as_deref(), Some("SW1A 1AA"));
        assert_eq!(normalise("W1D 3QU").as_deref(), Some("W1D 3QU"));
        assert_eq!(normalise("gir 0aa").as_deref(), Some("GIR 0AA"));
    }

    #[test]
    fn non_postcodes_are_refused() {
        for bad in [
            "", "SW9", "12345", "SW9 8L1", "SWW9 8LF", "SW9-8LF", "ÅW9 8LF", "9W9 8LF",
        ] {
            assert_eq!(normalise(bad), None, "{bad}");
        }
    }
}
