//! A parent's own children: adding, reading, changing and removing them on their family's
//! record. A child's dates decide crèche places, so changing or removing one touches what the
//! public listing shows.

use super::care::{care_problems, CarePatch};
use super::{changed, own_family};
use crate::domain::family::child_date_problems;
use crate::domain::monitoring::{Question, NOT_ASKED};
use crate::error::FieldErrors;
use crate::service::{Actor, Audit, ServiceError, Services};
use crate::store::{
    self,
    families::{Care, Child},
};
use chrono::Datelike;
use chrono::NaiveDate;

/// Add a child, born or expected.
#[derive(Debug, Clone)]
pub struct AddChild {
    pub first_name: String,
    pub date_of_birth: Option<NaiveDate>,
    /// For a baby not born yet.
    pub due_date: Option<NaiveDate>,
    /// What the crèche needs to know (none given: nothing).
    pub care: CarePatch,
    /// The monitoring answer on SEND or disability (none given: not asked).
    pub send: Option<String>,
    /// What the request's own checks found wrong; reported together with the date rules.
    pub request_problems: FieldErrors,
}

/// Change any of a child's name and dates. A date of birth for an expected baby records the
/// birth (the due date goes), and a due date alone replaces a date of birth.
#[derive(Debug, Clone)]
pub struct UpdateChild {
    pub child_id: i32,
    pub first_name: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    /// Any of the care details to change.
    pub care: CarePatch,
    /// The monitoring answer on SEND or disability, to change.
    pub send: Option<String>,
    /// What the request's own checks found wrong; reported together with the date rules.
    pub request_problems: FieldErrors,
}

/// The SEND answer as stored, with its refusal added to the request's problems.
fn checked_send(
    mut problems: FieldErrors,
    send: &Option<String>,
    tx: &crate::service::Tx,
) -> (FieldErrors, Option<String>) {
    let checked = send.as_deref().map(|s| {
        Question::Send.check(s, tx.now.year()).unwrap_or_else(|m| {
            problems.entry("send".into()).or_default().push(m);
            NOT_ASKED.into()
        })
    });
    (problems, checked)
}

/// The request's own problems and the date rules (`domain::family`), as one refusal if any.
fn check_dates(
    mut errors: FieldErrors,
    (dob, due): (Option<NaiveDate>, Option<NaiveDate>),
    care: &Care,
    today: NaiveDate,
) -> Result<(), ServiceError> {
    for (field, msg) in child_date_problems(dob, due, today) {
        errors.entry(field.to_string()).or_default().push(msg);
    }
    care_problems(care, today, &mut errors);
    ServiceError::check_fields(errors)
}

/// Adds a child to the acting parent's family; recorded as `child_added` (born or expected).
pub async fn add_child(
    services: &Services,
    actor: Actor,
    cmd: AddChild,
) -> Result<Child, ServiceError> {
    services
        .write(actor, move |tx| {
            let care = cmd.care.apply(&Care::default());
            let (problems, send) = checked_send(cmd.request_problems.clone(), &cmd.send, tx);
            check_dates(
                problems,
                (cmd.date_of_birth, cmd.due_date),
                &care,
                tx.now.date_naive(),
            )?;
            let f = own_family(tx.conn, tx.actor)?;
            let child = store::families::add_child(
                tx.conn,
                f.id,
                cmd.first_name.trim(),
                cmd.date_of_birth,
                cmd.due_date,
                tx.now_naive(),
            )?;
            let child = if care == Care::default() {
                child
            } else {
                store::families::set_care(tx.conn, child.id, &care, tx.now_naive())?
            };
            let child = match send {
                Some(send) => store::families::set_send(tx.conn, child.id, &send)?,
                None => child,
            };
            let detail = if child.date_of_birth.is_some() {
                "born"
            } else {
                "expected"
            };
            tx.audit(Audit {
                action: "child_added",
                entity: "child",
                entity_id: Some(child.id),
                family_id: Some(f.id),
                detail: detail.into(),
            });
            Ok(child)
        })
        .await
}

/// One of the acting parent's children.
pub async fn child(
    services: &Services,
    actor: Actor,
    child_id: i32,
) -> Result<Child, ServiceError> {
    services
        .read(move |c, _| {
            let f = own_family(c, actor)?;
            store::families::child_of(c, f.id, child_id)?
                .ok_or_else(|| ServiceError::not_found("child"))
        })
        .await
}

/// Changes a child's name or dates; recorded as `child_updated` naming the fields that changed.
pub async fn update_child(
    services: &Services,
    actor: Actor,
    cmd: UpdateChild,
) -> Result<Child, ServiceError> {
    services
        .write(actor, move |tx| {
            let f = own_family(tx.conn, tx.actor)?;
            let id = cmd.child_id;
            let child = store::families::child_of(tx.conn, f.id, id)?
                .ok_or_else(|| ServiceError::not_found("child"))?;
            // A date of birth replaces a due date (the baby has arrived), and vice versa.
            let (dob, due) = match (cmd.date_of_birth, cmd.due_date) {
                (Some(b), None) => (Some(b), None),
                (None, Some(d)) => (None, Some(d)),
                (None, None) => (child.date_of_birth, child.due_date),
                (b, d) => (b, d),
            };
            let care = cmd.care.apply(&child.care());
            let (problems, send) = checked_send(cmd.request_problems.clone(), &cmd.send, tx);
            check_dates(problems, (dob, due), &care, tx.now.date_naive())?;
            let name = cmd
                .first_name
                .as_deref()
                .map(str::trim)
                .unwrap_or(&child.first_name)
                .to_string();
            let mut fields = vec![
                ("first_name", name != child.first_name),
                ("date_of_birth", dob != child.date_of_birth),
                ("due_date", due != child.due_date),
            ];
            fields.extend(CarePatch::changed_fields(&child.care(), &care));
            fields.push(("send", send.as_ref().is_some_and(|s| *s != child.send)));
            let detail = changed(&fields);
            store::families::update_child(tx.conn, id, &name, dob, due, tx.now_naive())?;
            let mut updated = store::families::set_care(tx.conn, id, &care, tx.now_naive())?;
            if let Some(send) = send {
                updated = store::families::set_send(tx.conn, id, &send)?;
            }
            tx.audit(Audit {
                action: "child_updated",
                entity: "child",
                entity_id: Some(id),
                family_id: Some(f.id),
                detail,
            });
            tx.listing_changed();
            Ok(updated)
        })
        .await
}

/// Removes a child from the acting parent's family; recorded as `child_removed`. A child who has
/// (or had) a crèche place stays on the record, for the crèche register.
pub async fn remove_child(
    services: &Services,
    actor: Actor,
    child_id: i32,
) -> Result<(), ServiceError> {
    services
        .write(actor, move |tx| {
            let f = own_family(tx.conn, tx.actor)?;
            // Crèche places and sign-ins refer to the child (foreign keys): refuse, do not fail.
            let deleted =
                store::families::delete_child(tx.conn, f.id, child_id).map_err(|e| match e {
                    diesel::result::Error::DatabaseError(
                        diesel::result::DatabaseErrorKind::ForeignKeyViolation,
                        _,
                    ) => ServiceError::Conflict(
                        "this child has had a crèche place in a group, so stays on the family's record"
                            .into(),
                    ),
                    e => e.into(),
                })?;
            if !deleted {
                return Err(ServiceError::not_found("child"));
            }
            tx.audit(Audit {
                action: "child_removed",
                entity: "child",
                entity_id: Some(child_id),
                family_id: Some(f.id),
                detail: String::new(),
            });
            tx.listing_changed();
            Ok(())
        })
        .await
}
