//! Families and children. A parent's family is found by their user id; every other id is
//! checked against it so one family can never reach another's records.

use crate::db::schema::{children as ch, families as fa, family_monitoring as fm};
use crate::db::DbConnection;
use crate::domain::message::{ContactBy, Language};
use crate::domain::monitoring::{Answers, CarerAnswers, NOT_ASKED};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable)]
pub struct Family {
    pub id: i32,
    pub user_id: Option<i32>,
    pub carer_one: String,
    pub carer_two: String,
    pub phone: String,
    pub email: String,
    pub postcode: String,
    pub ward: String,
    #[diesel(deserialize_as = String)]
    pub preferred_language: Language,
    pub interpreter_needed: bool,
    pub access_needs: String,
    pub referral_source: String,
    pub consent_to_contact: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub erased_at: Option<NaiveDateTime>,
    pub calendar_token_hash: Option<String>,
    /// The language's name when `preferred_language` is `other`.
    pub language_other: String,
    #[diesel(deserialize_as = String)]
    pub contact_by: ContactBy,
    /// Reminders before sessions (the family may turn them off).
    pub reminders: bool,
    /// The email address the family has shown it reads (opened a link sent to it), or ''.
    pub email_verified: String,
    /// The member of staff who enrolled the family; `None` when the parent registered.
    pub enrolled_by: Option<i32>,
    /// Derived from the postcode (kept on erasure as statistics).
    pub lsoa: String,
    pub imd_decile: Option<i32>,
}

impl Family {
    /// One or two carers' names (the second is stored empty when absent).
    pub fn carers(&self) -> Vec<String> {
        [&self.carer_one, &self.carer_two]
            .into_iter()
            .filter(|c| !c.is_empty())
            .cloned()
            .collect()
    }

    /// Whether reminders may go by email to `address`: the family opened a link sent there, or
    /// the centre enrolled the family (no account yet) and staff took the address from them.
    pub fn reads(&self, address: &str) -> bool {
        let confirmed = !self.email_verified.is_empty()
            && self.email_verified.eq_ignore_ascii_case(address.trim());
        confirmed || (self.user_id.is_none() && self.enrolled_by.is_some())
    }
}

#[derive(Debug, Clone, Queryable)]
pub struct Child {
    pub id: i32,
    pub family_id: i32,
    pub first_name: String,
    pub date_of_birth: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Set when the family was erased: the child then has no name and no dates.
    pub erased_at: Option<NaiveDateTime>,
    pub allergies: String,
    pub dietary_needs: String,
    pub medical_needs: String,
    pub medicines: String,
    /// The parent's written consent to give the medicines, and the date it was given.
    pub medicines_consent: bool,
    pub medicines_consent_date: Option<NaiveDate>,
    /// Special educational needs and disabilities (SEND).
    pub additional_needs: String,
    /// The monitoring answer: SEND or a disability, as the family says (yes, no,
    /// prefer_not_to_say, not_asked).
    pub send: String,
}

impl Child {
    /// The child's care details, as stored.
    pub fn care(&self) -> Care {
        Care {
            allergies: self.allergies.clone(),
            dietary_needs: self.dietary_needs.clone(),
            medical_needs: self.medical_needs.clone(),
            medicines: self.medicines.clone(),
            medicines_consent: self.medicines_consent,
            medicines_consent_date: self.medicines_consent_date,
            additional_needs: self.additional_needs.clone(),
        }
    }
}

/// What the crèche needs to know about a child ('' for nothing).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Care {
    pub allergies: String,
    pub dietary_needs: String,
    pub medical_needs: String,
    pub medicines: String,
    pub medicines_consent: bool,
    pub medicines_consent_date: Option<NaiveDate>,
    pub additional_needs: String,
}

impl Care {
    /// Whether there is anything for the crèche to know.
    pub fn any(&self) -> bool {
        [
            &self.allergies,
            &self.dietary_needs,
            &self.medical_needs,
            &self.medicines,
            &self.additional_needs,
        ]
        .iter()
        .any(|s| !s.trim().is_empty())
    }
}

/// Sets a child's care details.
pub fn set_care(
    conn: &mut DbConnection,
    child_id: i32,
    c: &Care,
    now: NaiveDateTime,
) -> QueryResult<Child> {
    diesel::update(ch::table.find(child_id))
        .set((
            ch::allergies.eq(&c.allergies),
            ch::dietary_needs.eq(&c.dietary_needs),
            ch::medical_needs.eq(&c.medical_needs),
            ch::medicines.eq(&c.medicines),
            ch::medicines_consent.eq(c.medicines_consent),
            ch::medicines_consent_date.eq(c.medicines_consent_date),
            ch::additional_needs.eq(&c.additional_needs),
            ch::updated_at.eq(now),
        ))
        .returning(ch::all_columns)
        .get_result(conn)
}

/// A child by id, whichever family.
pub fn find_child(conn: &mut DbConnection, child_id: i32) -> QueryResult<Option<Child>> {
    ch::table.find(child_id).first(conn).optional()
}

/// The editable profile, validated.
#[derive(Debug, Clone)]
pub struct Profile {
    pub carer_one: String,
    pub carer_two: String,
    pub phone: String,
    pub email: String,
    pub postcode: String,
    pub ward: String,
    pub preferred_language: Language,
    pub language_other: String,
    pub interpreter_needed: bool,
    pub access_needs: String,
    pub referral_source: String,
    pub consent_to_contact: bool,
    pub contact_by: ContactBy,
    pub reminders: bool,
    /// The monitoring answers; `None` leaves those stored as they are.
    pub answers: Option<Answers>,
    /// The postcode's LSOA and its IMD decile, when the geography is loaded (which derives
    /// `ward` too).
    pub lsoa: String,
    pub imd_decile: Option<i32>,
}

impl From<&Family> for Profile {
    /// The family's profile as stored.
    fn from(f: &Family) -> Self {
        Profile {
            carer_one: f.carer_one.clone(),
            carer_two: f.carer_two.clone(),
            phone: f.phone.clone(),
            email: f.email.clone(),
            postcode: f.postcode.clone(),
            ward: f.ward.clone(),
            preferred_language: f.preferred_language,
            language_other: f.language_other.clone(),
            interpreter_needed: f.interpreter_needed,
            access_needs: f.access_needs.clone(),
            referral_source: f.referral_source.clone(),
            consent_to_contact: f.consent_to_contact,
            contact_by: f.contact_by,
            reminders: f.reminders,
            answers: None,
            lsoa: f.lsoa.clone(),
            imd_decile: f.imd_decile,
        }
    }
}

/// The family made with a parent account, or (`None`) one recorded for a family without a login.
pub fn create_for_user(
    conn: &mut DbConnection,
    user_id: impl Into<Option<i32>>,
    carer: &str,
    email: &str,
    now: NaiveDateTime,
) -> QueryResult<Family> {
    diesel::insert_into(fa::table)
        .values((
            fa::user_id.eq(user_id.into()),
            fa::carer_one.eq(carer),
            fa::email.eq(email),
            fa::preferred_language.eq(Language::En.as_str()),
            fa::created_at.eq(now),
            fa::updated_at.eq(now),
        ))
        .returning(fa::all_columns)
        .get_result(conn)
}

/// A family the centre enrolled (no login yet): `enrolled_by` is the member of staff.
pub fn enrol(
    conn: &mut DbConnection,
    p: &Profile,
    enrolled_by: Option<i32>,
    now: NaiveDateTime,
) -> QueryResult<Family> {
    let id: i32 = diesel::insert_into(fa::table)
        .values((
            fa::carer_one.eq(&p.carer_one),
            fa::email.eq(&p.email),
            fa::preferred_language.eq(p.preferred_language.as_str()),
            fa::enrolled_by.eq(enrolled_by),
            fa::created_at.eq(now),
            fa::updated_at.eq(now),
        ))
        .returning(fa::id)
        .get_result(conn)?;
    update_profile(conn, id, p, now)
}

/// A parent takes over a family the centre enrolled: the login becomes the family's and the
/// address the invitation went to counts as read. `false` when the family has a login already
/// or was erased meanwhile.
pub fn claim(
    conn: &mut DbConnection,
    family_id: i32,
    user_id: i32,
    email: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        fa::table
            .find(family_id)
            .filter(fa::user_id.is_null())
            .filter(fa::erased_at.is_null()),
    )
    .set((
        fa::user_id.eq(user_id),
        fa::email_verified.eq(email),
        fa::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn of_user(conn: &mut DbConnection, user_id: i32) -> QueryResult<Option<Family>> {
    fa::table
        .filter(fa::user_id.eq(user_id))
        .first(conn)
        .optional()
}

pub fn find(conn: &mut DbConnection, id: i32) -> QueryResult<Option<Family>> {
    fa::table.find(id).first(conn).optional()
}

/// These families, by id (those that exist).
pub fn find_many(conn: &mut DbConnection, ids: &[i32]) -> QueryResult<Vec<Family>> {
    fa::table.filter(fa::id.eq_any(ids)).load(conn)
}

pub fn update_profile(
    conn: &mut DbConnection,
    id: i32,
    p: &Profile,
    now: NaiveDateTime,
) -> QueryResult<Family> {
    diesel::update(fa::table.find(id))
        .set((
            fa::carer_one.eq(&p.carer_one),
            fa::carer_two.eq(&p.carer_two),
            fa::phone.eq(&p.phone),
            fa::email.eq(&p.email),
            fa::postcode.eq(&p.postcode),
            fa::ward.eq(&p.ward),
            fa::preferred_language.eq(p.preferred_language.as_str()),
            fa::language_other.eq(&p.language_other),
            fa::contact_by.eq(p.contact_by.as_str()),
            fa::reminders.eq(p.reminders),
            fa::interpreter_needed.eq(p.interpreter_needed),
            fa::access_needs.eq(&p.access_needs),
            fa::referral_source.eq(&p.referral_source),
            fa::consent_to_contact.eq(p.consent_to_contact),
            fa::lsoa.eq(&p.lsoa),
            fa::imd_decile.eq(p.imd_decile),
            fa::updated_at.eq(now),
        ))
        .execute(conn)?;
    // The answers are about the carers named now, even after erasure blanks the names.
    let carers = if p.carer_two.is_empty() { 1 } else { 2 };
    match &p.answers {
        Some(a) => set_answers(conn, id, a, carers)?,
        None if carers == 1 => {
            // A second carer no longer named takes their answers with them.
            diesel::update(fm::table.filter(fm::family_id.eq(id)))
                .set((
                    fm::carers.eq(carers),
                    fm::carer_two_role.eq(NOT_ASKED),
                    fm::carer_two_birth_year.eq(NOT_ASKED),
                    fm::carer_two_disability.eq(NOT_ASKED),
                ))
                .execute(conn)?;
        }
        None => {
            diesel::update(fm::table.filter(fm::family_id.eq(id)))
                .set(fm::carers.eq(carers))
                .execute(conn)?;
        }
    }
    fa::table.find(id).first(conn)
}

type AnswersRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
);

fn answers_from(r: AnswersRow) -> Answers {
    let (ethnicity, first_language, english_additional, lone_parent, r1, r2, y1, y2, d1, d2) = r;
    let carer = |role, birth_year, disability| CarerAnswers {
        role,
        birth_year,
        disability,
    };
    Answers {
        ethnicity,
        first_language,
        english_additional,
        lone_parent,
        carers: [carer(r1, y1, d1), carer(r2, y2, d2)],
    }
}

macro_rules! answer_columns {
    () => {
        (
            fm::ethnicity,
            fm::first_language,
            fm::english_additional,
            fm::lone_parent,
            fm::carer_one_role,
            fm::carer_two_role,
            fm::carer_one_birth_year,
            fm::carer_two_birth_year,
            fm::carer_one_disability,
            fm::carer_two_disability,
        )
    };
}

/// A family's monitoring answers (all `not_asked` when it was never asked).
pub fn answers(conn: &mut DbConnection, family_id: i32) -> QueryResult<Answers> {
    let row: Option<AnswersRow> = fm::table
        .filter(fm::family_id.eq(family_id))
        .select(answer_columns!())
        .first(conn)
        .optional()?;
    Ok(row.map(answers_from).unwrap_or_default())
}

/// A family's stored answers: the row's id, how many carers they are about, the answers.
#[derive(Debug, Clone)]
pub struct StoredAnswers {
    pub id: i32,
    pub family_id: i32,
    pub carers: usize,
    pub answers: Answers,
}

/// The monitoring answers of some families (those never asked are left out).
pub fn answers_of(conn: &mut DbConnection, family_ids: &[i32]) -> QueryResult<Vec<StoredAnswers>> {
    let rows: Vec<(i32, i32, i32, AnswersRow)> = fm::table
        .filter(fm::family_id.eq_any(family_ids))
        .select((fm::id, fm::family_id, fm::carers, answer_columns!()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, family_id, carers, r)| StoredAnswers {
            id,
            family_id,
            carers: if carers == 2 { 2 } else { 1 },
            answers: answers_from(r),
        })
        .collect())
}

/// Replaces a family's monitoring answers, about `carers` carers.
pub fn set_answers(
    conn: &mut DbConnection,
    family_id: i32,
    a: &Answers,
    carers: i32,
) -> QueryResult<()> {
    let [one, two] = &a.carers;
    let values = (
        fm::carers.eq(carers),
        fm::ethnicity.eq(&a.ethnicity),
        fm::first_language.eq(&a.first_language),
        fm::english_additional.eq(&a.english_additional),
        fm::lone_parent.eq(&a.lone_parent),
        fm::carer_one_role.eq(&one.role),
        fm::carer_two_role.eq(&two.role),
        fm::carer_one_birth_year.eq(&one.birth_year),
        fm::carer_two_birth_year.eq(&two.birth_year),
        fm::carer_one_disability.eq(&one.disability),
        fm::carer_two_disability.eq(&two.disability),
    );
    let n = diesel::update(fm::table.filter(fm::family_id.eq(family_id)))
        .set(values)
        .execute(conn)?;
    if n == 0 {
        diesel::insert_into(fm::table)
            .values((fm::family_id.eq(family_id), values))
            .execute(conn)?;
    }
    Ok(())
}

pub fn children_of(conn: &mut DbConnection, family_id: i32) -> QueryResult<Vec<Child>> {
    ch::table
        .filter(ch::family_id.eq(family_id))
        .order(ch::id)
        .load(conn)
}

/// The children of these families, oldest record first.
pub fn children_of_families(
    conn: &mut DbConnection,
    family_ids: &[i32],
) -> QueryResult<Vec<Child>> {
    ch::table
        .filter(ch::family_id.eq_any(family_ids))
        .order(ch::id)
        .load(conn)
}

/// A child of this family only.
pub fn child_of(
    conn: &mut DbConnection,
    family_id: i32,
    child_id: i32,
) -> QueryResult<Option<Child>> {
    ch::table
        .filter(ch::id.eq(child_id))
        .filter(ch::family_id.eq(family_id))
        .first(conn)
        .optional()
}

pub fn add_child(
    conn: &mut DbConnection,
    family_id: i32,
    first_name: &str,
    dob: Option<NaiveDate>,
    due: Option<NaiveDate>,
    now: NaiveDateTime,
) -> QueryResult<Child> {
    diesel::insert_into(ch::table)
        .values((
            ch::family_id.eq(family_id),
            ch::first_name.eq(first_name),
            ch::date_of_birth.eq(dob),
            ch::due_date.eq(due),
            ch::created_at.eq(now),
            ch::updated_at.eq(now),
        ))
        .returning(ch::all_columns)
        .get_result(conn)
}

pub fn update_child(
    conn: &mut DbConnection,
    child_id: i32,
    first_name: &str,
    dob: Option<NaiveDate>,
    due: Option<NaiveDate>,
    now: NaiveDateTime,
) -> QueryResult<Child> {
    diesel::update(ch::table.find(child_id))
        .set((
            ch::first_name.eq(first_name),
            ch::date_of_birth.eq(dob),
            ch::due_date.eq(due),
            ch::updated_at.eq(now),
        ))
        .returning(ch::all_columns)
        .get_result(conn)
}

/// Sets a child's SEND answer (monitoring).
pub fn set_send(conn: &mut DbConnection, child_id: i32, send: &str) -> QueryResult<Child> {
    diesel::update(ch::table.find(child_id))
        .set(ch::send.eq(send))
        .returning(ch::all_columns)
        .get_result(conn)
}

pub fn delete_child(conn: &mut DbConnection, family_id: i32, child_id: i32) -> QueryResult<bool> {
    Ok(diesel::delete(
        ch::table
            .filter(ch::id.eq(child_id))
            .filter(ch::family_id.eq(family_id)),
    )
    .execute(conn)?
        > 0)
}

/// The family opened a link sent to `address`: reminders may go there.
pub fn set_email_verified(
    conn: &mut DbConnection,
    family_id: i32,
    address: &str,
) -> QueryResult<()> {
    diesel::update(fa::table.find(family_id))
        .set(fa::email_verified.eq(address.trim().to_lowercase()))
        .execute(conn)?;
    Ok(())
}

/// The family's contact address follows its login's new one.
pub fn set_email(
    conn: &mut DbConnection,
    family_id: i32,
    address: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(fa::table.find(family_id))
        .set((fa::email.eq(address), fa::updated_at.eq(now)))
        .execute(conn)?;
    Ok(())
}

/// Sets (or with `None` revokes) the family's private calendar link.
pub fn set_calendar_token(
    conn: &mut DbConnection,
    family_id: i32,
    hash: Option<&str>,
) -> QueryResult<()> {
    diesel::update(fa::table.find(family_id))
        .set(fa::calendar_token_hash.eq(hash))
        .execute(conn)?;
    Ok(())
}

pub fn by_calendar_token(conn: &mut DbConnection, hash: &str) -> QueryResult<Option<Family>> {
    fa::table
        .filter(fa::calendar_token_hash.eq(hash))
        .first(conn)
        .optional()
}

/// Every family not erased that gave a postcode: id, postcode, ward (to place them again when
/// the geography changes; erased families keep theirs, as statistics).
pub fn with_postcodes(conn: &mut DbConnection) -> QueryResult<Vec<(i32, String, String)>> {
    fa::table
        .filter(fa::erased_at.is_null())
        .filter(fa::postcode.ne(""))
        .select((fa::id, fa::postcode, fa::ward))
        .order(fa::id)
        .load(conn)
}

/// Sets where a family is (ward, LSOA, IMD decile), as the geography derives it.
pub fn set_place(
    conn: &mut DbConnection,
    id: i32,
    ward: &str,
    lsoa: &str,
    imd_decile: Option<i32>,
) -> QueryResult<()> {
    diesel::update(fa::table.find(id))
        .set((
            fa::ward.eq(ward),
            fa::lsoa.eq(lsoa),
            fa::imd_decile.eq(imd_decile),
        ))
        .execute(conn)?;
    Ok(())
}
