//! Staff records: facilitators, crèche workers and supervisors with dated qualifications, made
//! and changed by admins and coordinators; optionally with a facilitator login of the same email.

use crate::db::{unique_violated, Unique};
use crate::domain::programme::QUALIFICATIONS;
use crate::domain::role::Role;
use crate::error::FieldErrors;
use crate::service::{Actor, ServiceError, Services};
use crate::store::{self, staff::StaffFields, staff::StaffMember};
use chrono::NaiveDate;

/// The kinds of work staff do in the groups.
pub const STAFF_ROLES: &[&str] = &[
    "clinician",
    "cosp_facilitator",
    "better_start_worker",
    "parenting_worker",
    "trainee",
    "creche_worker",
    "supervisor",
];

/// A staff member's details that passed [`check`]: known roles and qualifications, each
/// qualification once, names trimmed and the email normalised.
#[derive(Debug, Clone)]
pub struct CheckedStaff(StaffFields);

/// Add a staff member.
#[derive(Debug, Clone)]
pub struct NewStaff {
    pub staff: CheckedStaff,
    /// Also make a facilitator login with the staff member's email and this (hashed) password.
    pub login_password_hash: Option<String>,
}

/// What changes on a staff member; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct StaffChange {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub organisation: Option<String>,
    pub roles: Option<Vec<String>>,
    /// Replaces the whole list.
    pub qualifications: Option<Vec<(String, Option<NaiveDate>)>>,
    pub active: Option<bool>,
    /// What the caller already found wrong in the request (lengths, formats), answered
    /// together with the rules' own findings.
    pub problems: FieldErrors,
}

/// Checks a staff member's details against the rules and normalises them; `problems` (what the
/// caller already found wrong in the request) are answered together with the rules' findings.
pub fn check(mut f: StaffFields, mut problems: FieldErrors) -> Result<CheckedStaff, ServiceError> {
    let mut add =
        |field: &str, msg: String| problems.entry(field.to_string()).or_default().push(msg);
    for r in &f.roles {
        if !STAFF_ROLES.contains(&r.as_str()) {
            add(
                "roles",
                format!("{r:?} is not one of {}", STAFF_ROLES.join(", ")),
            );
        }
    }
    let mut seen = Vec::new();
    for (kind, _) in &f.qualifications {
        if !QUALIFICATIONS.contains(&kind.as_str()) {
            add(
                "qualifications",
                format!("{kind:?} is not one of {}", QUALIFICATIONS.join(", ")),
            );
        } else if seen.contains(kind) {
            add("qualifications", format!("{kind} is listed twice"));
        }
        seen.push(kind.clone());
    }
    ServiceError::check_fields(problems)?;
    f.roles.sort();
    f.roles.dedup();
    f.name = f.name.trim().to_string();
    f.email = store::users::normalise_email(&f.email);
    f.organisation = f.organisation.trim().to_string();
    Ok(CheckedStaff(f))
}

fn duplicate_email(e: diesel::result::Error) -> ServiceError {
    if matches!(
        unique_violated(&e),
        Some(Unique::StaffEmail | Unique::UserEmail | Unique::StaffLogin)
    ) {
        ServiceError::Conflict("a staff member or login with this email already exists".into())
    } else {
        e.into()
    }
}

/// Adds a staff member, with their facilitator login when a password is given (both or neither).
pub async fn add_staff(
    services: &Services,
    actor: Actor,
    cmd: NewStaff,
) -> Result<StaffMember, ServiceError> {
    services
        .write(actor, move |tx| {
            let fields = &cmd.staff.0;
            let now = tx.now_naive();
            let user_id = match &cmd.login_password_hash {
                Some(hash) => {
                    let new = store::users::NewUser {
                        email: &fields.email,
                        password_hash: hash,
                        display_name: &fields.name,
                        role: Role::Facilitator,
                        now,
                    };
                    Some(
                        store::users::insert(tx.conn, new)
                            .map_err(duplicate_email)?
                            .id,
                    )
                }
                None => None,
            };
            store::staff::insert(tx.conn, fields, user_id, now).map_err(duplicate_email)
        })
        .await
}

/// Changes a staff member: the change is merged into the record and the whole checked again.
pub async fn change_staff(
    services: &Services,
    actor: Actor,
    id: i32,
    change: StaffChange,
) -> Result<StaffMember, ServiceError> {
    services
        .write(actor, move |tx| {
            let m = store::staff::find(tx.conn, id)?
                .ok_or_else(|| ServiceError::not_found("staff member"))?;
            let p = change.clone();
            let roles = m.roles();
            let CheckedStaff(fields) = check(
                StaffFields {
                    name: p.name.unwrap_or(m.row.name),
                    email: p.email.unwrap_or(m.row.email),
                    phone: p.phone.map(|s| s.trim().to_string()).unwrap_or(m.row.phone),
                    organisation: p.organisation.unwrap_or(m.row.organisation),
                    roles: p.roles.unwrap_or(roles),
                    active: p.active.unwrap_or(m.row.active),
                    qualifications: p.qualifications.unwrap_or(m.qualifications),
                },
                p.problems,
            )?;
            store::staff::update(tx.conn, id, &fields, tx.now_naive())
                .map_err(duplicate_email)?
                .ok_or_else(|| ServiceError::not_found("staff member"))
        })
        .await
}
