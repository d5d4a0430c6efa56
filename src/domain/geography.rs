//! Where a family or venue is, from its postcode, once the public geography is loaded
//! (`groupwork import-geography`): its ward, its LSOA and that LSOA's IMD decile.
//!
//! The pure half of the import lives here too: the columns of the open-data files found by their
//! header names (as the ONS and MHCLG write them, any case), which IMD edition a file is (and so
//! which census's LSOA codes go with it: never mixed), a postcode's sector, and a row made into a
//! record or a clear reason it cannot be.

/// What a postcode says about where someone lives.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Place {
    /// `boundary-set:Ward name`, as families and venues store it ('' when not known).
    pub ward: String,
    /// The LSOA code of the loaded IMD edition's census ('' when not known).
    pub lsoa: String,
    /// 1 (the 10% most deprived) to 10.
    pub imd_decile: Option<i32>,
}

/// The English Indices of Deprivation an IoD file belongs to, told by its LSOA column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImdEdition {
    /// The Indices of 2019, on the 2011 census's LSOAs.
    Imd2019,
    /// The Indices of 2025, on the 2021 census's LSOAs (current).
    Imd2025,
}

impl ImdEdition {
    /// As stored and said: `IMD 2025`.
    pub fn as_str(self) -> &'static str {
        match self {
            ImdEdition::Imd2019 => "IMD 2019",
            ImdEdition::Imd2025 => "IMD 2025",
        }
    }

    /// The census whose LSOAs the edition is on.
    pub fn census(self) -> u16 {
        match self {
            ImdEdition::Imd2019 => 2011,
            ImdEdition::Imd2025 => 2021,
        }
    }
}

/// A row of a CSV file, by column number.
pub trait Row {
    fn field(&self, i: usize) -> Option<&str>;
}

impl Row for [&str] {
    fn field(&self, i: usize) -> Option<&str> {
        self.get(i).copied()
    }
}

impl<const N: usize> Row for [&str; N] {
    fn field(&self, i: usize) -> Option<&str> {
        self.get(i).copied()
    }
}

/// A header as compared: trimmed, without a byte-order mark, lower case.
fn plain(h: &str) -> String {
    h.trim()
        .trim_start_matches('\u{feff}')
        .trim()
        .to_lowercase()
}

/// `prefix`, two digits, `suffix` (`lad24cd`, `wd22nm`); `h` already [`plain`].
fn coded(h: &str, prefix: &str, suffix: &str) -> bool {
    h.strip_prefix(prefix)
        .and_then(|rest| rest.strip_suffix(suffix))
        .is_some_and(|yy| yy.len() == 2 && yy.bytes().all(|b| b.is_ascii_digit()))
}

/// The first column whose header satisfies `wanted`.
fn column(headers: &[String], wanted: impl Fn(&str) -> bool) -> Option<usize> {
    headers.iter().position(|h| wanted(h))
}

fn plain_all(headers: &[&str]) -> Vec<String> {
    headers.iter().map(|h| plain(h)).collect()
}

/// A field of `row`, trimmed; '' when the row is short.
fn cell<R: Row + ?Sized>(row: &R, i: usize) -> &str {
    row.field(i).unwrap_or("").trim()
}

/// The columns of the ONS Postcode Directory (ONSPD) or the National Statistics Postcode
/// Lookup (NSPL) this import reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostcodeColumns {
    postcode: usize,
    local_authority: usize,
    ward: usize,
    lsoa: usize,
    terminated: Option<usize>,
}

/// One postcode of the directory, in the area served or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostcodeRecord {
    /// In its stored form, `SW9 8LF`.
    pub postcode: String,
    pub local_authority: String,
    pub ward_code: String,
    /// Of the edition's census.
    pub lsoa: String,
    /// A postcode no longer in use (`doterm` set): kept, but a live one wins over it.
    pub terminated: bool,
}

impl PostcodeColumns {
    /// Finds the columns by name: the postcode `pcds` (else `pcd`, `pcd7`, `pcd8`), the local
    /// authority `oslaua` (else `ladNNcd`, `laua`), the ward `osward` (else `wdNNcd`, `ward`),
    /// and the LSOA of the edition's census (`lsoa21`/`lsoa21cd` for IMD 2025,
    /// `lsoa11`/`lsoa11cd` for IMD 2019).
    pub fn find(headers: &[&str], edition: ImdEdition) -> Result<Self, String> {
        let h = plain_all(headers);
        let pick = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| column(&h, |x| x == *n))
                .ok_or_else(|| format!("no {} column", names.join(" or ")))
        };
        let postcode = pick(&["pcds", "pcd", "pcd7", "pcd8"])?;
        let local_authority = column(&h, |x| x == "oslaua")
            .or_else(|| column(&h, |x| coded(x, "lad", "cd")))
            .or_else(|| column(&h, |x| x == "laua"))
            .ok_or("no local authority column (oslaua, ladNNcd or laua)")?;
        let ward = column(&h, |x| x == "osward")
            .or_else(|| column(&h, |x| coded(x, "wd", "cd")))
            .or_else(|| column(&h, |x| x == "ward"))
            .ok_or("no ward column (osward, wdNNcd or ward)")?;
        let lsoa = match edition {
            ImdEdition::Imd2025 => pick(&["lsoa21", "lsoa21cd"]),
            ImdEdition::Imd2019 => pick(&["lsoa11", "lsoa11cd"]),
        }
        .map_err(|e| format!("{e} (the LSOAs of {}'s census)", edition.as_str()))?;
        Ok(PostcodeColumns {
            postcode,
            local_authority,
            ward,
            lsoa,
            terminated: column(&h, |x| x == "doterm"),
        })
    }

    /// The row as a record; `Ok(None)` for a row to skip (no ward or LSOA: not a place anyone
    /// lives, or outside England and Wales' geography); `Err` when its postcode is not one.
    pub fn record<R: Row + ?Sized>(&self, row: &R) -> Result<Option<PostcodeRecord>, String> {
        let raw = cell(row, self.postcode);
        let postcode = super::postcode::normalise(raw)
            .ok_or_else(|| format!("{raw:?} is not a UK postcode"))?;
        let (ward_code, lsoa) = (cell(row, self.ward), cell(row, self.lsoa));
        if ward_code.is_empty() || lsoa.is_empty() {
            return Ok(None);
        }
        Ok(Some(PostcodeRecord {
            postcode,
            local_authority: cell(row, self.local_authority).to_string(),
            ward_code: ward_code.to_string(),
            lsoa: lsoa.to_string(),
            terminated: self.terminated.is_some_and(|i| !cell(row, i).is_empty()),
        }))
    }

    /// Only the postcode of a row (for those outside the area: their sector is all we keep).
    pub fn local_authority<'r, R: Row + ?Sized>(&self, row: &'r R) -> &'r str {
        cell(row, self.local_authority)
    }

    pub fn postcode<'r, R: Row + ?Sized>(&self, row: &'r R) -> &'r str {
        cell(row, self.postcode)
    }
}

/// A postcode's sector: the outward code, a space and the inward code's digit (`SE5 9EP` →
/// `SE5 9`); `None` when it is not a postcode.
pub fn sector(postcode: &str) -> Option<String> {
    let p = super::postcode::normalise(postcode)?;
    let (outward, inward) = p.split_once(' ')?;
    Some(format!("{outward} {}", inward.get(..1)?))
}

/// The columns of the English Indices of Deprivation's LSOA file (File 1, or File 7's CSV).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImdColumns {
    pub edition: ImdEdition,
    lsoa: usize,
    decile: usize,
}

impl ImdColumns {
    /// The LSOA code column, `LSOA code (2021)` (IMD 2025) or `LSOA code (2011)` (IMD 2019),
    /// which says the edition; and the one decile column of the Index of Multiple Deprivation
    /// itself (`Index of Multiple Deprivation (IMD) Decile …`, not a domain's).
    pub fn find(headers: &[&str]) -> Result<Self, String> {
        let h = plain_all(headers);
        let (lsoa, edition) = match (
            column(&h, |x| x == "lsoa code (2021)"),
            column(&h, |x| x == "lsoa code (2011)"),
        ) {
            (Some(i), None) => (i, ImdEdition::Imd2025),
            (None, Some(i)) => (i, ImdEdition::Imd2019),
            (Some(_), Some(_)) => {
                return Err(
                    "both LSOA code (2021) and LSOA code (2011) columns: which census is it?"
                        .into(),
                )
            }
            (None, None) => {
                return Err("no LSOA code (2021) or LSOA code (2011) column".into());
            }
        };
        let deciles: Vec<usize> = (0..h.len())
            .filter(|&i| {
                h[i].starts_with("index of multiple deprivation") && h[i].contains("decile")
            })
            .collect();
        let decile = match deciles[..] {
            [i] => i,
            [] => return Err("no Index of Multiple Deprivation (IMD) Decile column".into()),
            _ => {
                return Err(
                    "more than one Index of Multiple Deprivation (IMD) Decile column".into(),
                )
            }
        };
        Ok(ImdColumns {
            edition,
            lsoa,
            decile,
        })
    }

    /// The row's LSOA code and its decile (1 to 10).
    pub fn record<R: Row + ?Sized>(&self, row: &R) -> Result<(String, i32), String> {
        let lsoa = cell(row, self.lsoa);
        if lsoa.is_empty() {
            return Err("no LSOA code".into());
        }
        let raw = cell(row, self.decile);
        match raw.parse::<i32>() {
            Ok(d) if (1..=10).contains(&d) => Ok((lsoa.to_string(), d)),
            _ => Err(format!("IMD decile {raw:?} is not a number from 1 to 10")),
        }
    }
}

/// The columns of a ward names and codes lookup (`WD22CD`, `WD22NM`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WardNameColumns {
    code: usize,
    name: usize,
}

impl WardNameColumns {
    /// The first `WDnnCD` column and the `WDnnNM` of the same year.
    pub fn find(headers: &[&str]) -> Result<Self, String> {
        let h = plain_all(headers);
        let code = column(&h, |x| coded(x, "wd", "cd")).ok_or("no WDnnCD (ward code) column")?;
        let year = &h[code][2..4];
        let want = format!("wd{year}nm");
        let name = column(&h, |x| x == want)
            .ok_or_else(|| format!("no {} (ward name) column", want.to_uppercase()))?;
        Ok(WardNameColumns { code, name })
    }

    /// The ward's code and the key families and venues store for it (`lambeth-2022:Name`).
    pub fn record<R: Row + ?Sized>(
        &self,
        row: &R,
        ward_set: &str,
    ) -> Result<(String, String), String> {
        let code = cell(row, self.code);
        if code.is_empty() {
            return Err("no ward code".into());
        }
        let name = cell(row, self.name);
        let key = super::ward::Ward::parse(&format!("{ward_set}:{name}"))
            .map_err(|e| format!("ward {code} {name:?}: {e}"))?
            .key();
        Ok((code.to_string(), key))
    }
}

/// The columns of a ward population file: a ward code (`WDnnCD` or `Ward Code`) and either an
/// `under_fives` column or the single years of age `0` to `4` (added up).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PopulationColumns {
    code: usize,
    counts: Vec<usize>,
}

impl PopulationColumns {
    pub fn find(headers: &[&str]) -> Result<Self, String> {
        let h = plain_all(headers);
        let code = column(&h, |x| coded(x, "wd", "cd"))
            .or_else(|| column(&h, |x| x == "ward code"))
            .ok_or("no ward code column (WDnnCD or Ward Code)")?;
        if let Some(i) = column(&h, |x| x == "under_fives") {
            return Ok(PopulationColumns {
                code,
                counts: vec![i],
            });
        }
        let ages: Option<Vec<usize>> = ["0", "1", "2", "3", "4"]
            .iter()
            .map(|a| column(&h, |x| x == *a))
            .collect();
        let counts = ages.ok_or("no under_fives column, nor the ages 0, 1, 2, 3 and 4")?;
        Ok(PopulationColumns { code, counts })
    }

    /// The ward's code and its children under five.
    pub fn record<R: Row + ?Sized>(&self, row: &R) -> Result<(String, i32), String> {
        let code = cell(row, self.code);
        if code.is_empty() {
            return Err("no ward code".into());
        }
        let mut total: i32 = 0;
        for &i in &self.counts {
            let raw = cell(row, i);
            let n: i32 = raw
                .replace(',', "")
                .parse()
                .ok()
                .filter(|n| *n >= 0)
                .ok_or_else(|| format!("{raw:?} is not a number of people"))?;
            total = total.checked_add(n).ok_or("too many people")?;
        }
        Ok((code.to_string(), total))
    }
}

/// Whether `code` is a local authority district's GSS code (`E09000022`).
pub fn is_local_authority_code(code: &str) -> bool {
    code.len() == 9
        && code.as_bytes()[0].is_ascii_uppercase()
        && code[1..].bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONSPD: &[&str] = &[
        "pcd", "pcd2", "PCDS", "dointr", "doterm", "oscty", "ced", "oslaua", "osward", "parish",
        "lsoa11", "msoa11", "lsoa21", "msoa21", "imd",
    ];

    #[test]
    fn postcode_columns_are_found_by_name_whatever_the_case() {
        let c = PostcodeColumns::find(ONSPD, ImdEdition::Imd2025).unwrap();
        let row = [
            "SW9 8LF",
            "SW9  8LF",
            "sw9 8lf",
            "199001",
            "",
            "E99999999",
            "E99999999",
            "E09000022",
            "E05014105",
            "",
            "E01003001",
            "E02000001",
            "E01035001",
            "E02006801",
            "1234",
        ];
        let r = c.record(&row).unwrap().unwrap();
        assert_eq!(r.postcode, "SW9 8LF");
        assert_eq!(r.local_authority, "E09000022");
        assert_eq!(r.ward_code, "E05014105");
        assert_eq!(r.lsoa, "E01035001", "2021 LSOA for IMD 2025");
        assert!(!r.terminated);
        let old = PostcodeColumns::find(ONSPD, ImdEdition::Imd2019).unwrap();
        assert_eq!(old.record(&row).unwrap().unwrap().lsoa, "E01003001");
    }

    #[test]
    fn nspl_and_new_style_names_are_found_too() {
        let nspl = ["pcd", "laua", "ward", "lsoa21"];
        let c = PostcodeColumns::find(&nspl, ImdEdition::Imd2025).unwrap();
        let r = c
            .record(&["SE115QY", "E09000022", "E05014100", "E01"])
            .unwrap();
        assert_eq!(r.unwrap().postcode, "SE11 5QY");
        let new = ["pcd7", "LAD25CD", "WD25CD", "LSOA21CD", "doterm"];
        let c = PostcodeColumns::find(&new, ImdEdition::Imd2025).unwrap();
        let r = c.record(&["SE5 9RA", "E09000022", "E05", "E01", "202301"]);
        assert!(r.unwrap().unwrap().terminated);
    }

    #[test]
    fn a_missing_column_is_named() {
        let e = PostcodeColumns::find(&["pcds", "oslaua", "osward", "lsoa11"], ImdEdition::Imd2025)
            .unwrap_err();
        assert!(e.contains("lsoa21"), "{e}");
        let e = PostcodeColumns::find(&["postcode"], ImdEdition::Imd2025).unwrap_err();
        assert!(e.contains("pcds"), "{e}");
    }

    #[test]
    fn rows_without_ward_or_lsoa_are_skipped_and_bad_postcodes_refused() {
        let c = PostcodeColumns::find(&["pcds", "oslaua", "osward", "lsoa21"], ImdEdition::Imd2025)
            .unwrap();
        assert_eq!(c.record(&["SW9 8LF", "E09000022", "", ""]).unwrap(), None);
        assert!(c.record(&["nonsense", "E09000022", "E05", "E01"]).is_err());
    }

    #[test]
    fn sectors() {
        assert_eq!(sector("se5 9ep").as_deref(), Some("SE5 9"));
        assert_eq!(sector("SW1A1AA").as_deref(), Some("SW1A 1"));
        assert_eq!(sector("nope"), None);
    }

    #[test]
    fn the_iod_file_says_its_edition() {
        let h2025 = [
            "LSOA code (2021)",
            "LSOA name (2021)",
            "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)",
            "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)",
            "Income Decile (where 1 is most deprived 10% of LSOAs)",
        ];
        let c = ImdColumns::find(&h2025).unwrap();
        assert_eq!(c.edition, ImdEdition::Imd2025);
        assert_eq!(
            c.record(&["E01035001", "Lambeth 001A", "1234", "3", "2"])
                .unwrap(),
            ("E01035001".to_string(), 3)
        );
        assert!(c.record(&["E01035001", "x", "1", "11", "2"]).is_err());
        assert!(c.record(&["E01035001", "x", "1", "", "2"]).is_err());
        let h2019 = [
            "\u{feff}LSOA code (2011)",
            "Index of Multiple Deprivation (IMD) Decile",
        ];
        assert_eq!(
            ImdColumns::find(&h2019).unwrap().edition,
            ImdEdition::Imd2019
        );
        assert!(ImdColumns::find(&["LSOA code (2021)", "Income Decile"]).is_err());
        assert!(ImdColumns::find(&["lsoa", "Index of Multiple Deprivation (IMD) Decile"]).is_err());
    }

    #[test]
    fn ward_names_become_keys_of_the_ward_set() {
        let c = WardNameColumns::find(&["FID", "WD22CD", "WD22NM", "LAD22CD"]).unwrap();
        let (code, key) = c
            .record(
                &["1", "E05014110", "Stockwell East", "E09000022"],
                "lambeth-2022",
            )
            .unwrap();
        assert_eq!(
            (code.as_str(), key.as_str()),
            ("E05014110", "lambeth-2022:Stockwell East")
        );
        assert!(WardNameColumns::find(&["WD22CD", "WD23NM"]).is_err());
        assert!(c.record(&["1", "E05", "", "E09"], "lambeth-2022").is_err());
    }

    #[test]
    fn population_by_under_fives_or_single_years() {
        let c = PopulationColumns::find(&["WD22CD", "under_fives"]).unwrap();
        assert_eq!(c.record(&["E05", "1,204"]).unwrap(), ("E05".into(), 1204));
        let c = PopulationColumns::find(&[
            "Ward Code",
            "Ward Name",
            "All Ages",
            "0",
            "1",
            "2",
            "3",
            "4",
            "5",
        ])
        .unwrap();
        let row = [
            "E05", "Oval", "15000", "100", "101", "102", "103", "104", "99",
        ];
        assert_eq!(c.record(&row).unwrap(), ("E05".into(), 510));
        assert!(c
            .record(&["E05", "Oval", "1", "x", "1", "1", "1", "1", "1"])
            .is_err());
        assert!(PopulationColumns::find(&["Ward Code", "0", "1"]).is_err());
    }

    #[test]
    fn local_authority_codes() {
        assert!(is_local_authority_code("E09000022"));
        assert!(!is_local_authority_code("Lambeth"));
        assert!(!is_local_authority_code("E0900002"));
    }
}
