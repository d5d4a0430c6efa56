//! A family's monitoring answers in requests and answers (`domain::monitoring` decides what each
//! question takes; the schemas here are built from the same lists).

use crate::domain::monitoring::{Answers, CarerAnswers, Question, NOT_ASKED, PREFER_NOT_TO_SAY};
use crate::error::FieldErrors;
use chrono::Datelike;
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::ToSchema;

fn not_asked() -> String {
    NOT_ASKED.into()
}

fn choice(q: Question, description: &str) -> Schema {
    let mut values: Vec<&str> = q.choices().to_vec();
    values.extend([PREFER_NOT_TO_SAY, NOT_ASKED]);
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
        .default(Some(NOT_ASKED.into()))
        .description(Some(description))
        .into()
}

fn open(pattern: &str, description: &str) -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(pattern))
        .default(Some(NOT_ASKED.into()))
        .description(Some(description))
        .into()
}

fn ethnicity_schema() -> Schema {
    choice(
        Question::Ethnicity,
        "Ethnic group as the family identifies (the ONS 2021 census groups for England).",
    )
}

fn first_language_schema() -> Schema {
    open(
        "^(?:[a-z]{2,3}|prefer_not_to_say|not_asked)$",
        "First language: an ISO 639 code in lower case (en, pt, so, tir).",
    )
}

fn english_additional_schema() -> Schema {
    choice(
        Question::EnglishAdditional,
        "Whether English is an additional language for the family.",
    )
}

fn lone_parent_schema() -> Schema {
    choice(Question::LoneParent, "Whether the family has one parent.")
}

fn role_schema() -> Schema {
    choice(
        Question::CarerRole,
        "The carer's role: mother, father or other carer.",
    )
}

fn year_schema() -> Schema {
    open(
        "^(?:19[2-9][0-9]|20[0-9]{2}|prefer_not_to_say|not_asked)$",
        "The carer's year of birth (four digits, 1920 to this year): the year only.",
    )
}

fn disability_schema() -> Schema {
    choice(Question::Disability, "Whether the carer has a disability.")
}

pub(crate) fn send_schema() -> Schema {
    choice(
        Question::Send,
        "Whether the child has special educational needs or a disability, as the family says.",
    )
}

/// One attending carer's answers.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CarerMonitoring {
    #[serde(default = "not_asked")]
    #[schema(schema_with = role_schema)]
    pub role: String,
    #[serde(default = "not_asked")]
    #[schema(schema_with = year_schema)]
    pub year_of_birth: String,
    #[serde(default = "not_asked")]
    #[schema(schema_with = disability_schema)]
    pub disability: String,
}

/// What the family tells the centre about itself for monitoring: every answer is optional and
/// self-identified, each has `prefer_not_to_say`, and none is needed to book. A question left
/// out is `not_asked`. Counted in the monitoring report, never shown to other families.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Monitoring {
    #[serde(default = "not_asked")]
    #[schema(schema_with = ethnicity_schema)]
    pub ethnicity: String,
    #[serde(default = "not_asked")]
    #[schema(schema_with = first_language_schema)]
    pub first_language: String,
    #[serde(default = "not_asked")]
    #[schema(schema_with = english_additional_schema)]
    pub english_additional_language: String,
    #[serde(default = "not_asked")]
    #[schema(schema_with = lone_parent_schema)]
    pub lone_parent: String,
    /// One per carer in `carers`, in the same order.
    #[serde(default)]
    #[schema(max_items = 2)]
    pub carers: Vec<CarerMonitoring>,
}

impl Monitoring {
    /// The answers as stored, for a family of `carers` carers.
    pub fn of(a: Answers, carers: usize) -> Monitoring {
        Monitoring {
            ethnicity: a.ethnicity,
            first_language: a.first_language,
            english_additional_language: a.english_additional,
            lone_parent: a.lone_parent,
            carers: a
                .carers
                .into_iter()
                .take(carers.clamp(1, 2))
                .map(|c| CarerMonitoring {
                    role: c.role,
                    year_of_birth: c.birth_year,
                    disability: c.disability,
                })
                .collect(),
        }
    }

    /// The answers checked, for a family naming `carers` carers, with each refusal added to
    /// `errors` under `monitoring.<field>`.
    pub fn checked(self, carers: usize, errors: &mut FieldErrors) -> Answers {
        let year = chrono::Utc::now().year();
        let mut check = |field: &str, q: Question, v: &str| {
            q.check(v, year).unwrap_or_else(|m| {
                errors
                    .entry(format!("monitoring.{field}"))
                    .or_default()
                    .push(m);
                NOT_ASKED.into()
            })
        };
        let mut answers = Answers {
            ethnicity: check("ethnicity", Question::Ethnicity, &self.ethnicity),
            first_language: check(
                "first_language",
                Question::FirstLanguage,
                &self.first_language,
            ),
            english_additional: check(
                "english_additional_language",
                Question::EnglishAdditional,
                &self.english_additional_language,
            ),
            lone_parent: check("lone_parent", Question::LoneParent, &self.lone_parent),
            carers: Default::default(),
        };
        for (i, c) in self.carers.iter().take(2).enumerate() {
            answers.carers[i] = CarerAnswers {
                role: check(&format!("carers[{i}].role"), Question::CarerRole, &c.role),
                birth_year: check(
                    &format!("carers[{i}].year_of_birth"),
                    Question::BirthYear,
                    &c.year_of_birth,
                ),
                disability: check(
                    &format!("carers[{i}].disability"),
                    Question::Disability,
                    &c.disability,
                ),
            };
        }
        if self.carers.len() > carers {
            errors
                .entry("monitoring.carers".into())
                .or_default()
                .push("must have no more entries than carers".into());
        }
        answers
    }
}
