//! Reading the open-data files into an [`Edition`]: streamed row by row (the postcode directory
//! is a few hundred MB and is never held whole), with a progress bar on a terminal. No database
//! here: the rows become an `Edition` that `service::geography::import` writes in one
//! transaction. A file that cannot be used is an error naming the file and the line.

use super::Edition;
use crate::domain::geography::{
    is_local_authority_code, sector, ImdColumns, ImdEdition, PopulationColumns, PostcodeColumns,
    Row, WardNameColumns,
};
use crate::domain::ward::Ward;
use crate::store::geography::PostcodeRow;
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{IsTerminal, Read};
use std::path::Path;

impl Row for csv::StringRecord {
    fn field(&self, i: usize) -> Option<&str> {
        self.get(i)
    }
}

/// A source opened for reading: its name, the CSV reader and its progress bar.
type Opened = (String, csv::Reader<Box<dyn Read + Send>>, ProgressBar);

/// One input: a file (or, for the demo, bytes) and the name it is called by in messages.
pub struct Source {
    pub name: String,
    size: Option<u64>,
    reader: Box<dyn Read + Send>,
}

impl Source {
    /// A file, opened now (a missing file is said at once).
    pub fn file(path: &Path) -> Result<Source, String> {
        let name = path.display().to_string();
        let f = std::fs::File::open(path).map_err(|e| format!("cannot open {name}: {e}"))?;
        let size = f.metadata().ok().map(|m| m.len());
        Ok(Source {
            name,
            size,
            reader: Box::new(std::io::BufReader::with_capacity(1 << 16, f)),
        })
    }

    /// Bytes held in memory (the demo's fixture).
    pub fn bytes(name: &str, bytes: &'static [u8]) -> Source {
        Source {
            name: name.to_string(),
            size: Some(bytes.len() as u64),
            reader: Box::new(bytes),
        }
    }

    /// The file's name without its folder, for the edition's record of its sources.
    fn short_name(&self) -> String {
        Path::new(&self.name)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.name.clone())
    }

    /// A CSV reader over the source, drawing its progress (bytes read of the size) when stderr
    /// is a terminal; its header row as text.
    fn csv(self) -> Result<Opened, String> {
        let bar = match (std::io::stderr().is_terminal(), self.size) {
            (true, Some(size)) => {
                let bar = ProgressBar::new(size);
                if let Ok(style) = ProgressStyle::with_template(
                    "{msg:30!} [{bar:30}] {bytes}/{total_bytes} ({eta})",
                ) {
                    bar.set_style(style.progress_chars("=> "));
                }
                bar.set_message(self.short_name());
                bar
            }
            _ => ProgressBar::hidden(),
        };
        let reader: Box<dyn Read + Send> = Box::new(bar.wrap_read(self.reader));
        let csv = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(reader);
        Ok((self.name, csv, bar))
    }
}

/// The inputs of an import.
pub struct Sources {
    /// The ONS Postcode Directory (or NSPL) CSV.
    pub postcodes: Source,
    /// A ward names and codes lookup (`WDnnCD`, `WDnnNM`).
    pub ward_names: Source,
    /// The English Indices of Deprivation's LSOA file (File 1).
    pub imd: Source,
    /// Ward population (under fives), optional.
    pub population: Option<Source>,
}

/// `name, line N: what` for the `index`th row after the header (0 first) that cannot be used.
/// Counted here, not taken from the reader: its line numbers run one behind in a file with
/// CRLF line ends (as the ONS and MHCLG downloads often have). A field with a line break in it
/// would put the count behind; these files have none.
fn at(name: &str, index: usize, what: impl std::fmt::Display) -> String {
    format!("{name}, line {}: {what}", index + 2)
}

fn csv_error(name: &str, e: &csv::Error) -> String {
    let what = match e.kind() {
        csv::ErrorKind::Io(io) => io.to_string(),
        csv::ErrorKind::Utf8 { err, .. } => format!("not UTF-8 text ({err})"),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("{len} fields where the header has {expected_len}"),
        _ => e.to_string(),
    };
    match e.position() {
        Some(p) => format!("{name}, line {}: {what}", p.line()),
        None => format!("{name}: {what}"),
    }
}

/// The header row, or a clear error.
fn headers(name: &str, csv: &mut csv::Reader<Box<dyn Read + Send>>) -> Result<Vec<String>, String> {
    let h = csv.headers().map_err(|e| csv_error(name, &e))?;
    if h.is_empty() || (h.len() == 1 && h.get(0).is_some_and(|f| f.trim().is_empty())) {
        return Err(format!("{name}: empty, no header row"));
    }
    Ok(h.iter().map(str::to_string).collect())
}

fn refs(h: &[String]) -> Vec<&str> {
    h.iter().map(String::as_str).collect()
}

/// Checks what the command was given before any file is read.
pub fn check_request(local_authorities: &[String], ward_set: &str) -> Result<(), String> {
    if local_authorities.is_empty() {
        return Err(
            "say which local authorities the centre serves: --local-authority E09000022".into(),
        );
    }
    if let Some(bad) = local_authorities
        .iter()
        .find(|c| !is_local_authority_code(c))
    {
        return Err(format!(
            "--local-authority {bad:?} is not a local authority code like E09000022"
        ));
    }
    Ward::parse(&format!("{ward_set}:Ward"))
        .map_err(|e| format!("--ward-set {ward_set:?}: {e}"))?;
    Ok(())
}

/// Reads an edition: the IoD file first (it says the edition, so which census's LSOA column of
/// the postcode directory to take), then the ward names, then the postcode directory streamed,
/// keeping the rows of `local_authorities` and the sectors of all the others.
pub fn read_edition(
    sources: Sources,
    local_authorities: &[String],
    ward_set: &str,
) -> Result<Edition, String> {
    check_request(local_authorities, ward_set)?;
    let names = [
        format!("postcodes: {}", sources.postcodes.short_name()),
        format!("ward names: {}", sources.ward_names.short_name()),
        format!("IMD: {}", sources.imd.short_name()),
    ];
    let mut listed: Vec<String> = names.to_vec();
    if let Some(p) = &sources.population {
        listed.push(format!("population: {}", p.short_name()));
    }
    let (imd, deciles) = read_imd(sources.imd)?;
    let ward_names = read_ward_names(sources.ward_names, ward_set)?;
    let under_fives = sources.population.map(read_population).transpose()?;
    let (postcodes_name, postcodes, outside) =
        read_postcodes(sources.postcodes, imd, local_authorities)?;
    if postcodes.is_empty() {
        return Err(format!(
            "{postcodes_name}: no postcode of {} (is the local authority code right, and is this the whole directory?)",
            local_authorities.join(", ")
        ));
    }
    let mut wards = BTreeMap::new();
    let mut lsoas = BTreeMap::new();
    for p in &postcodes {
        if !wards.contains_key(&p.ward_code) {
            let key = ward_names.get(&p.ward_code).ok_or_else(|| {
                format!(
                    "{postcodes_name}: ward {} (of {}) is not in the ward names file: are they of the same year?",
                    p.ward_code, p.postcode
                )
            })?;
            wards.insert(p.ward_code.clone(), key.clone());
        }
        if let Some(d) = deciles.get(&p.lsoa) {
            lsoas.insert(p.lsoa.clone(), *d);
        }
    }
    if lsoas.is_empty() {
        return Err(format!(
            "none of the LSOAs of {postcodes_name} is in the IMD file: are they of the same census ({} LSOAs for {})?",
            imd.census(),
            imd.as_str()
        ));
    }
    Ok(Edition {
        imd,
        local_authorities: local_authorities.to_vec(),
        ward_set: ward_set.to_string(),
        sources: listed.join("; "),
        postcodes,
        wards: wards.into_iter().collect(),
        lsoas: lsoas.into_iter().collect(),
        outside_sectors: outside.into_iter().collect(),
        under_fives,
    })
}

/// The IoD file: its edition and every LSOA's IMD decile.
fn read_imd(source: Source) -> Result<(ImdEdition, HashMap<String, i32>), String> {
    let (name, mut csv, bar) = source.csv()?;
    let h = headers(&name, &mut csv)?;
    let cols = ImdColumns::find(&refs(&h)).map_err(|e| format!("{name}: {e}"))?;
    let mut deciles = HashMap::new();
    for (i, row) in csv.records().enumerate() {
        let row = row.map_err(|e| csv_error(&name, &e))?;
        let (lsoa, d) = cols.record(&row).map_err(|e| at(&name, i, e))?;
        deciles.insert(lsoa, d);
    }
    bar.finish_and_clear();
    if deciles.is_empty() {
        return Err(format!("{name}: no LSOA in it"));
    }
    Ok((cols.edition, deciles))
}

/// The ward names file: ward code → key in `ward_set`.
fn read_ward_names(source: Source, ward_set: &str) -> Result<HashMap<String, String>, String> {
    let (name, mut csv, bar) = source.csv()?;
    let h = headers(&name, &mut csv)?;
    let cols = WardNameColumns::find(&refs(&h)).map_err(|e| format!("{name}: {e}"))?;
    let mut wards = HashMap::new();
    for (i, row) in csv.records().enumerate() {
        let row = row.map_err(|e| csv_error(&name, &e))?;
        let (code, key) = cols.record(&row, ward_set).map_err(|e| at(&name, i, e))?;
        wards.insert(code, key);
    }
    bar.finish_and_clear();
    Ok(wards)
}

/// A ward population file: children under five by ward code.
pub fn read_population(source: Source) -> Result<Vec<(String, i32)>, String> {
    let (name, mut csv, bar) = source.csv()?;
    let h = headers(&name, &mut csv)?;
    let cols = PopulationColumns::find(&refs(&h)).map_err(|e| format!("{name}: {e}"))?;
    let mut counts = BTreeMap::new();
    for (i, row) in csv.records().enumerate() {
        let row = row.map_err(|e| csv_error(&name, &e))?;
        let (code, n) = cols.record(&row).map_err(|e| at(&name, i, e))?;
        counts.insert(code, n);
    }
    bar.finish_and_clear();
    if counts.is_empty() {
        return Err(format!("{name}: no ward in it"));
    }
    Ok(counts.into_iter().collect())
}

/// The postcode directory, streamed: the postcodes of the area (a live one wins over a
/// terminated one written the same way) and the sectors of every other postcode.
fn read_postcodes(
    source: Source,
    imd: ImdEdition,
    local_authorities: &[String],
) -> Result<(String, Vec<PostcodeRow>, BTreeSet<String>), String> {
    let (name, mut csv, bar) = source.csv()?;
    let h = headers(&name, &mut csv)?;
    let cols = PostcodeColumns::find(&refs(&h), imd).map_err(|e| format!("{name}: {e}"))?;
    let served: BTreeSet<&str> = local_authorities.iter().map(String::as_str).collect();
    let mut kept: HashMap<String, (PostcodeRow, bool)> = HashMap::new();
    let mut outside = BTreeSet::new();
    let mut row = csv::StringRecord::new();
    for i in 0.. {
        match csv.read_record(&mut row) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(&name, &e)),
        }
        if !served.contains(cols.local_authority(&row)) {
            // Only its sector is kept; a row whose postcode is not one says nothing.
            if let Some(s) = sector(cols.postcode(&row)) {
                outside.insert(s);
            }
            continue;
        }
        let Some(r) = cols.record(&row).map_err(|e| at(&name, i, e))? else {
            continue;
        };
        let replaces = kept
            .get(&r.postcode)
            .is_none_or(|(_, terminated)| *terminated && !r.terminated);
        if replaces {
            let stored = PostcodeRow {
                postcode: r.postcode.clone(),
                local_authority: r.local_authority,
                ward_code: r.ward_code,
                lsoa: r.lsoa,
            };
            kept.insert(r.postcode, (stored, r.terminated));
        }
    }
    bar.finish_and_clear();
    let mut postcodes: Vec<PostcodeRow> = kept.into_values().map(|(p, _)| p).collect();
    postcodes.sort_by(|a, b| a.postcode.cmp(&b.postcode));
    Ok((name, postcodes, outside))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(name: &str, text: &str) -> Source {
        Source::bytes(name, text.to_string().leak().as_bytes())
    }

    const WARDS: &str = "WD22CD,WD22NM\r\nE05000001,Oval\r\nE05000002,Vauxhall\r\n";

    fn sources(postcodes: &str, imd: &str) -> Sources {
        Sources {
            postcodes: src("pc.csv", postcodes),
            ward_names: src("wards.csv", WARDS),
            imd: src("iod.csv", imd),
            population: None,
        }
    }

    const POSTCODES: &str = "pcds,doterm,oslaua,osward,lsoa11,lsoa21\r\n\
        SE11 5QY,,E09000022,E05000001,E01000011,E01000021\r\n\
        SE11 5QZ,202001,E09000022,E05000001,E01000011,E01000021\r\n\
        SE11 5QZ,,E09000022,E05000002,E01000012,E01000022\r\n\
        SE11 5QZ,201501,E09000022,E05000001,E01000011,E01000021\r\n\
        SE5 7AA,,E09000028,E05999999,E01999911,E01999921\r\n\
        SE15 5AB,,E09000028,E05999999,E01999911,E01999921\r\n";

    #[test]
    fn the_iod_file_decides_which_census_lsoa_is_taken() {
        let lambeth = ["E09000022".to_string()];
        let iod2025 = "LSOA code (2021),Index of Multiple Deprivation (IMD) Decile\r\n\
                       E01000021,2\r\nE01000022,9\r\n";
        let e = read_edition(sources(POSTCODES, iod2025), &lambeth, "lambeth-2022").unwrap();
        assert_eq!(e.imd, ImdEdition::Imd2025);
        let lsoas: Vec<&str> = e.postcodes.iter().map(|p| p.lsoa.as_str()).collect();
        assert_eq!(lsoas, ["E01000021", "E01000022"]);
        // The live SE11 5QZ wins over the terminated ones, wherever they are in the file.
        assert_eq!(e.postcodes[1].ward_code, "E05000002");
        assert_eq!(e.lsoas, [("E01000021".into(), 2), ("E01000022".into(), 9)]);
        assert_eq!(e.outside_sectors, ["SE15 5", "SE5 7"]);
        assert_eq!(
            e.wards[1],
            ("E05000002".into(), "lambeth-2022:Vauxhall".into())
        );
        assert!(e.sources.contains("IMD: iod.csv"), "{}", e.sources);

        let iod2019 = "LSOA code (2011),Index of Multiple Deprivation (IMD) Decile\r\n\
                       E01000011,3\r\nE01000012,4\r\n";
        let e = read_edition(sources(POSTCODES, iod2019), &lambeth, "lambeth-2022").unwrap();
        assert_eq!(e.imd, ImdEdition::Imd2019);
        assert!(
            e.postcodes.iter().all(|p| p.lsoa.starts_with("E0100001")),
            "2011 codes only"
        );

        // A 2019 file against a directory with only 2021 LSOAs: refused, never mixed.
        let only2021 = POSTCODES.replace("lsoa11", "lsoa01");
        let err = read_edition(sources(&only2021, iod2019), &lambeth, "lambeth-2022").unwrap_err();
        assert!(err.contains("lsoa11") && err.contains("IMD 2019"), "{err}");
    }

    #[test]
    fn a_ward_missing_from_the_names_file_is_said() {
        let lambeth = ["E09000022".to_string()];
        let iod = "LSOA code (2021),Index of Multiple Deprivation (IMD) Decile\r\nE01000021,2\r\n";
        let pcs = "pcds,oslaua,osward,lsoa21\r\nSE11 5QY,E09000022,E05000777,E01000021\r\n";
        let err = read_edition(sources(pcs, iod), &lambeth, "lambeth-2022").unwrap_err();
        assert!(
            err.contains("E05000777") && err.contains("ward names"),
            "{err}"
        );
        let bad = "pcds,oslaua,osward,lsoa21\r\nSE11 5QY,E09000022,E05000001,E01000021\r\nnot one,E09000022,E05000001,E01000021\r\n";
        let err = read_edition(sources(bad, iod), &lambeth, "lambeth-2022").unwrap_err();
        assert_eq!(err, "pc.csv, line 3: \"not one\" is not a UK postcode");
    }
}
