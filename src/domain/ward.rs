//! Wards are named with their boundary set, because boundaries change (Lambeth's did in 2022):
//! `lambeth-2014:Stockwell` and `lambeth-2022:Stockwell East` are different areas, and monitoring
//! figures must never mix them.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ward {
    pub boundary_set: String,
    pub name: String,
}

impl Ward {
    /// Parses `boundary-set:Ward name`; the set is a lower-case slug ending in its year.
    pub fn parse(input: &str) -> Result<Ward, &'static str> {
        let (set, name) = input
            .split_once(':')
            .ok_or("must be the boundary set and ward name, e.g. lambeth-2014:Stockwell")?;
        let set = set.trim();
        let name = name.trim();
        let slug_ok = !set.is_empty()
            && set.len() <= 40
            && set
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && set
                .rsplit('-')
                .next()
                .is_some_and(|y| y.len() == 4 && y.chars().all(|c| c.is_ascii_digit()));
        if !slug_ok {
            return Err("boundary set must look like lambeth-2014 (lower-case name and year)");
        }
        if name.is_empty()
            || name.chars().count() > 80
            || name.contains(':')
            || name.chars().any(char::is_control)
        {
            return Err("ward name must be 1 to 80 characters, without ':'");
        }
        Ok(Ward {
            boundary_set: set.to_string(),
            name: name.to_string(),
        })
    }

    pub fn key(&self) -> String {
        format!("{}:{}", self.boundary_set, self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::Ward;

    #[test]
    fn ward_names_carry_their_boundary_set() {
        let w = Ward::parse("lambeth-2014: Stockwell ").unwrap();
        assert_eq!(w.boundary_set, "lambeth-2014");
        assert_eq!(w.name, "Stockwell");
        assert_eq!(w.key(), "lambeth-2014:Stockwell");
        assert_eq!(
            Ward::parse("lambeth-2022:Stockwell West & Larkhall")
                .unwrap()
                .name,
            "Stockwell West & Larkhall"
        );
    }

    #[test]
    fn ward_without_boundary_set_is_refused() {
        for bad in [
            "Stockwell",
            "Lambeth-2014:Stockwell",
            "lambeth:Stockwell",
            "lambeth-2014:",
            "lambeth-2014:a:b",
        ] {
            assert!(Ward::parse(bad).is_err(), "{bad}");
        }
    }
}
