//! What a family may tell the centre about itself for monitoring (issue 19): who the carers are,
//! their ethnicity and languages, lone parents, teenage parents, disability and SEND. Every answer
//! is optional and self-identified: each question takes one of its choices, `prefer_not_to_say`,
//! or `not_asked` (never asked, the default), and none of them is ever needed to book.
//! The report's breakdowns read a family's answers through [`Breakdown::key`], so "prefer not to
//! say" and "not asked" stay separate rows.

/// Never asked (or asked before the question existed).
pub const NOT_ASKED: &str = "not_asked";
/// Asked, and the family chose not to say.
pub const PREFER_NOT_TO_SAY: &str = "prefer_not_to_say";

/// The ONS 2021 census ethnic groups for England and Wales (the 19 tick boxes), as the person
/// identifies.
pub const ETHNICITIES: [&str; 19] = [
    "asian_bangladeshi",
    "asian_chinese",
    "asian_indian",
    "asian_pakistani",
    "asian_other",
    "black_african",
    "black_caribbean",
    "black_other",
    "mixed_white_asian",
    "mixed_white_black_african",
    "mixed_white_black_caribbean",
    "mixed_other",
    "white_british",
    "white_irish",
    "white_gypsy_irish_traveller",
    "white_roma",
    "white_other",
    "other_arab",
    "other_any",
];

/// A carer who comes to the group with the child.
pub const CARER_ROLES: [&str; 3] = ["mother", "father", "other_carer"];

pub const YES_NO: [&str; 2] = ["yes", "no"];

/// The earliest year of birth a carer may give.
pub const FIRST_BIRTH_YEAR: i32 = 1920;

/// A monitoring question and the answers it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Question {
    Ethnicity,
    /// An ISO 639 language code in lower case (`en`, `pt`, `so`, `tir`).
    FirstLanguage,
    EnglishAdditional,
    LoneParent,
    CarerRole,
    /// Four digits, from 1920 to this year: the year only, as little as the teenage-parent
    /// figure needs.
    BirthYear,
    Disability,
    Send,
}

impl Question {
    /// The choices besides `prefer_not_to_say` and `not_asked` (empty for the open ones: a
    /// language code, a year).
    pub fn choices(self) -> &'static [&'static str] {
        match self {
            Question::Ethnicity => &ETHNICITIES,
            Question::CarerRole => &CARER_ROLES,
            Question::EnglishAdditional
            | Question::LoneParent
            | Question::Disability
            | Question::Send => &YES_NO,
            Question::FirstLanguage | Question::BirthYear => &[],
        }
    }

    /// The answer as stored (trimmed, lower case), or what is wrong with it. `this_year` bounds
    /// a year of birth.
    pub fn check(self, answer: &str, this_year: i32) -> Result<String, String> {
        let a = answer.trim().to_ascii_lowercase();
        if a == NOT_ASKED || a == PREFER_NOT_TO_SAY || self.choices().contains(&a.as_str()) {
            return Ok(a);
        }
        let words = || {
            let mut all: Vec<&str> = self.choices().to_vec();
            all.extend([PREFER_NOT_TO_SAY, NOT_ASKED]);
            all.join(", ")
        };
        match self {
            Question::FirstLanguage
                if (2..=3).contains(&a.len()) && a.bytes().all(|b| b.is_ascii_lowercase()) =>
            {
                Ok(a)
            }
            Question::FirstLanguage => Err(format!(
                "must be a language code such as en, pt or so (ISO 639), {PREFER_NOT_TO_SAY} or {NOT_ASKED}"
            )),
            Question::BirthYear => match a.parse::<i32>() {
                Ok(y) if a.len() == 4 && (FIRST_BIRTH_YEAR..=this_year).contains(&y) => Ok(a),
                _ => Err(format!(
                    "must be a year from {FIRST_BIRTH_YEAR} to {this_year}, {PREFER_NOT_TO_SAY} or {NOT_ASKED}"
                )),
            },
            _ => Err(format!("must be one of {}", words())),
        }
    }
}

/// One attending carer's answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarerAnswers {
    pub role: String,
    pub birth_year: String,
    pub disability: String,
}

impl Default for CarerAnswers {
    fn default() -> Self {
        CarerAnswers {
            role: NOT_ASKED.into(),
            birth_year: NOT_ASKED.into(),
            disability: NOT_ASKED.into(),
        }
    }
}

/// A family's monitoring answers. `carers` follow the family's carers in order (the first, then
/// the second when there is one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answers {
    pub ethnicity: String,
    pub first_language: String,
    pub english_additional: String,
    pub lone_parent: String,
    pub carers: [CarerAnswers; 2],
}

impl Default for Answers {
    fn default() -> Self {
        Answers {
            ethnicity: NOT_ASKED.into(),
            first_language: NOT_ASKED.into(),
            english_additional: NOT_ASKED.into(),
            lone_parent: NOT_ASKED.into(),
            carers: Default::default(),
        }
    }
}

/// Whether one answer is a yes, a no, a refusal or missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Said {
    Yes,
    No,
    PreferNot,
    NotAsked,
}

impl Said {
    fn of(answer: &str, yes: impl Fn(&str) -> bool) -> Said {
        match answer {
            NOT_ASKED | "" => Said::NotAsked,
            PREFER_NOT_TO_SAY => Said::PreferNot,
            a if yes(a) => Said::Yes,
            _ => Said::No,
        }
    }

    fn key(self) -> &'static str {
        match self {
            Said::Yes => "yes",
            Said::No => "no",
            Said::PreferNot => PREFER_NOT_TO_SAY,
            Said::NotAsked => NOT_ASKED,
        }
    }
}

/// Whether a family as a whole is a yes from its people's answers: yes when anyone is; no only
/// when everyone said no; otherwise prefer-not-to-say if anyone chose that, else not asked. (One
/// carer's "no" beside the other's silence says nothing of the family.) No people: not asked.
fn any_of(said: impl IntoIterator<Item = Said>) -> Said {
    let all: Vec<Said> = said.into_iter().collect();
    if all.is_empty() {
        Said::NotAsked
    } else if all.contains(&Said::Yes) {
        Said::Yes
    } else if all.iter().all(|s| *s == Said::No) {
        Said::No
    } else if all.contains(&Said::PreferNot) {
        Said::PreferNot
    } else {
        Said::NotAsked
    }
}

/// The family-level facts the breakdowns read: answers, how many carers, the children's SEND
/// answers, and the derived IMD decile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    pub answers: Answers,
    /// 1 or 2: the carers the answers are about.
    pub carers: usize,
    pub children_send: Vec<String>,
    pub imd_decile: Option<i32>,
}

/// The age under which a carer counts as a teenage parent, in whole years.
pub const TEEN_UNTIL: i32 = 20;

/// The report's breakdowns by what a family told us (and where it lives).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breakdown {
    Ethnicity,
    Language,
    FatherInvolved,
    TeenParent,
    LoneParent,
    Disability,
    Send,
    ImdDecile,
}

/// The IMD breakdown's row for a family without a decile (no postcode, or outside the area).
pub const UNKNOWN_DECILE: &str = "unknown";

impl Breakdown {
    /// Told by the family's monitoring answers (not by its children or where it lives).
    pub fn from_answers(self) -> bool {
        !matches!(self, Breakdown::Send | Breakdown::ImdDecile)
    }

    /// The family's row. `year` is the report's year: a carer is a teenage parent when they
    /// are under 20 at the end of it by their year of birth (year − birth year < 20).
    pub fn key(self, p: &Profile, year: i32) -> String {
        let a = &p.answers;
        let carers = &a.carers[..p.carers.clamp(1, 2)];
        let answer = |s: &str| match s {
            "" => NOT_ASKED.to_string(),
            s => s.to_string(),
        };
        match self {
            Breakdown::Ethnicity => answer(&a.ethnicity),
            Breakdown::Language => answer(&a.first_language),
            Breakdown::LoneParent => Said::of(&a.lone_parent, |s| s == "yes").key().into(),
            Breakdown::FatherInvolved => {
                any_of(carers.iter().map(|c| Said::of(&c.role, |r| r == "father")))
                    .key()
                    .into()
            }
            Breakdown::TeenParent => any_of(carers.iter().map(|c| {
                Said::of(&c.birth_year, |y| {
                    y.parse::<i32>().is_ok_and(|born| year - born < TEEN_UNTIL)
                })
            }))
            .key()
            .into(),
            Breakdown::Disability => any_of(
                carers
                    .iter()
                    .map(|c| Said::of(&c.disability, |d| d == "yes")),
            )
            .key()
            .into(),
            Breakdown::Send => any_of(p.children_send.iter().map(|s| Said::of(s, |s| s == "yes")))
                .key()
                .into(),
            Breakdown::ImdDecile => p
                .imd_decile
                .map_or(UNKNOWN_DECILE.into(), |d| d.to_string()),
        }
    }
}

/// IMD deciles 1 to 3: the 30% most deprived neighbourhoods in England.
pub fn most_deprived(decile: Option<i32>) -> bool {
    decile.is_some_and(|d| (1..=3).contains(&d))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn carer(role: &str, born: &str, disability: &str) -> CarerAnswers {
        CarerAnswers {
            role: role.into(),
            birth_year: born.into(),
            disability: disability.into(),
        }
    }

    #[test]
    fn answers_are_a_choice_a_refusal_or_not_asked() {
        let q = Question::Ethnicity;
        assert_eq!(q.check(" White_Irish ", 2026), Ok("white_irish".into()));
        assert_eq!(
            q.check("prefer_not_to_say", 2026),
            Ok(PREFER_NOT_TO_SAY.into())
        );
        assert_eq!(q.check("not_asked", 2026), Ok(NOT_ASKED.into()));
        assert!(q.check("irish", 2026).unwrap_err().contains("white_irish"));
        assert_eq!(Question::FirstLanguage.check("so", 2026), Ok("so".into()));
        assert_eq!(Question::FirstLanguage.check("tir", 2026), Ok("tir".into()));
        for bad in ["english", "e", "p1", "", "é"] {
            assert!(Question::FirstLanguage.check(bad, 2026).is_err(), "{bad}");
        }
        assert_eq!(Question::BirthYear.check("2008", 2026), Ok("2008".into()));
        for bad in ["1919", "2027", "08", "02008", "year"] {
            assert!(Question::BirthYear.check(bad, 2026).is_err(), "{bad}");
        }
        assert!(Question::Send.check("maybe", 2026).is_err());
        assert_eq!(ETHNICITIES.len(), 19);
    }

    #[test]
    fn a_family_is_a_yes_when_anyone_is_and_a_no_only_when_all_said_no() {
        let mut p = Profile {
            carers: 2,
            ..Default::default()
        };
        p.answers.carers = [carer("mother", "1990", "no"), carer("father", "2007", "no")];
        assert_eq!(Breakdown::FatherInvolved.key(&p, 2026), "yes");
        assert_eq!(Breakdown::TeenParent.key(&p, 2026), "yes");
        assert_eq!(Breakdown::TeenParent.key(&p, 2027), "no");
        assert_eq!(Breakdown::Disability.key(&p, 2026), "no");
        p.answers.carers[1].disability = PREFER_NOT_TO_SAY.into();
        assert_eq!(Breakdown::Disability.key(&p, 2026), PREFER_NOT_TO_SAY);
        p.answers.carers[1].disability = NOT_ASKED.into();
        assert_eq!(Breakdown::Disability.key(&p, 2026), NOT_ASKED);
        // Only the family's carers count: a second carer's answers are ignored without one.
        p.carers = 1;
        assert_eq!(Breakdown::FatherInvolved.key(&p, 2026), "no");
        assert_eq!(Breakdown::Disability.key(&p, 2026), "no");
        p.answers.carers[0].role = PREFER_NOT_TO_SAY.into();
        assert_eq!(Breakdown::FatherInvolved.key(&p, 2026), PREFER_NOT_TO_SAY);
    }

    #[test]
    fn rows_keep_refusals_apart_from_questions_never_asked() {
        let p = Profile {
            carers: 1,
            ..Default::default()
        };
        for b in [
            Breakdown::Ethnicity,
            Breakdown::Language,
            Breakdown::FatherInvolved,
            Breakdown::TeenParent,
            Breakdown::LoneParent,
            Breakdown::Disability,
            Breakdown::Send,
        ] {
            assert_eq!(b.key(&p, 2026), NOT_ASKED, "{b:?}");
        }
        assert_eq!(Breakdown::ImdDecile.key(&p, 2026), UNKNOWN_DECILE);
        let p = Profile {
            children_send: vec!["no".into(), "yes".into()],
            imd_decile: Some(2),
            ..p
        };
        assert_eq!(Breakdown::Send.key(&p, 2026), "yes");
        assert_eq!(Breakdown::ImdDecile.key(&p, 2026), "2");
        assert!(most_deprived(Some(3)) && !most_deprived(Some(4)) && !most_deprived(None));
    }
}
