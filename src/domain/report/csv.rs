//! The report as CSV (RFC 4180) for spreadsheet users: one header row, one row per group and a
//! total row, CRLF line ends. Column names are the JSON field paths (`follow_up_outcomes.withdrew`,
//! `outcome_pairs.<measure>.mean_change`), so each cell can be found in the JSON answer.
//! Text cells that a spreadsheet would run as a formula get a leading `'`; numbers stay numbers.

use super::columns::{Sheet, Value};
use super::GroupBy;

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Num(f64),
    Empty,
}

impl From<Option<i64>> for Cell {
    fn from(v: Option<i64>) -> Self {
        v.map_or(Cell::Empty, Cell::Int)
    }
}

impl From<Option<f64>> for Cell {
    fn from(v: Option<f64>) -> Self {
        v.map_or(Cell::Empty, Cell::Num)
    }
}

/// A text field made safe: a formula trigger first (`= + - @`, tab, CR) is defused with `'`
/// (OWASP's advice for CSV injection), then the field is quoted if it holds a comma, a quote or
/// a line break, with quotes doubled (RFC 4180).
pub fn text_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

pub fn field(c: &Cell) -> String {
    match c {
        Cell::Text(s) => text_field(s),
        Cell::Int(n) => n.to_string(),
        // Rust prints the shortest text that reads back as the same number.
        Cell::Num(x) if x.is_finite() => x.to_string(),
        Cell::Num(_) | Cell::Empty => String::new(),
    }
}

pub fn write(rows: &[Vec<Cell>]) -> String {
    rows.iter()
        .map(|r| r.iter().map(field).collect::<Vec<_>>().join(",") + "\r\n")
        .collect()
}

/// Columns: `group_by`, `group`, then the sheet's (`columns::COLUMNS`, follow-up outcomes,
/// four per outcome measure seen in any row, empty where a row has no pair). The total row's
/// `group_by` is `total` and its `group` empty. A figure hidden in a report safe to share is
/// its mark (`<5`, `[c]`).
pub fn report(sheet: &Sheet, by: Option<GroupBy>) -> String {
    let by = by.map_or("", GroupBy::as_str);
    let cell = |v: &Value| match *v {
        Value::Int(n) => Cell::Int(n),
        Value::Num(x) => Cell::Num(x),
        Value::Null => Cell::Empty,
        Value::Hidden(s) => Cell::Text(s.mark().unwrap_or_default().into()),
    };
    let mut out = vec![["group_by", "group"]
        .into_iter()
        .map(String::from)
        .chain(sheet.columns.iter().map(|c| c.name.clone()))
        .map(Cell::Text)
        .collect::<Vec<_>>()];
    for (key, values) in &sheet.rows {
        let mut line = vec![Cell::Text(by.into()), Cell::Text(key.clone())];
        line.extend(values.iter().map(cell));
        out.push(line);
    }
    let mut line = vec![Cell::Text("total".into()), Cell::Empty];
    line.extend(sheet.total.iter().map(cell));
    out.push(line);
    write(&out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::register::PairSummary;
    use crate::domain::report::{Figures, Report};

    #[test]
    fn fields_are_quoted_as_rfc_4180_says() {
        assert_eq!(text_field("Stockwell"), "Stockwell");
        assert_eq!(text_field("Brixton, Hub"), "\"Brixton, Hub\"");
        assert_eq!(text_field("the \"Hub\""), "\"the \"\"Hub\"\"\"");
        assert_eq!(text_field("two\nlines"), "\"two\nlines\"");
        assert_eq!(text_field(""), "");
    }

    #[test]
    fn formula_triggers_are_defused_but_numbers_are_not() {
        assert_eq!(text_field("=1+1"), "'=1+1");
        assert_eq!(text_field("+44"), "'+44");
        assert_eq!(text_field("-2"), "'-2");
        assert_eq!(text_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(text_field("\tx"), "'\tx");
        assert_eq!(text_field("\rx"), "\"'\rx\"");
        assert_eq!(
            text_field("=HYPERLINK(\"x\",\"y\")"),
            "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\""
        );
        // Only the first character matters: this is a plain name.
        assert_eq!(text_field("Tulse Hill = good"), "Tulse Hill = good");
        assert_eq!(field(&Cell::Num(-2.5)), "-2.5");
        assert_eq!(field(&Cell::Int(-3)), "-3");
        assert_eq!(field(&Cell::Num(f64::NAN)), "");
        assert_eq!(field(&Cell::Num(2.0 / 3.0)).parse::<f64>(), Ok(2.0 / 3.0));
    }

    #[test]
    fn one_header_row_then_groups_then_the_total() {
        let mut f = Figures {
            families_booked: 2,
            attendance_rate: Some(0.5),
            ..Default::default()
        };
        f.follow_up_outcomes.insert("withdrew".into(), 1);
        f.outcome_pairs.insert(
            "Scale, short".into(),
            PairSummary {
                pairs: 1,
                mean_pre: 10.0,
                mean_post: 8.0,
                mean_change: -2.0,
            },
        );
        let r = Report {
            groups: vec![("=Hub".into(), f.clone())],
            total: Figures {
                cohorts_run: Some(1),
                ..f
            },
        };
        let text = report(
            &crate::domain::report::columns::sheet(&r),
            Some(GroupBy::Venue),
        );
        let lines: Vec<&str> = text.split_terminator("\r\n").collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("group_by,group,cohorts_run,"));
        assert!(lines[0].ends_with(
            ",follow_up_outcomes.withdrew,\"outcome_pairs.Scale, short.pairs\",\"outcome_pairs.Scale, short.mean_pre\",\
             \"outcome_pairs.Scale, short.mean_post\",\"outcome_pairs.Scale, short.mean_change\""
        ));
        assert!(
            lines[1].starts_with("venue,'=Hub,,,,2,0,0,0,0,0,0,0.5,"),
            "{}",
            lines[1]
        );
        assert!(lines[1].ends_with(",1,1,10,8,-2"), "{}", lines[1]);
        assert!(lines[2].starts_with("total,,1,,,2,"), "{}", lines[2]);
    }
}
