//! Registers: the facilitators mark attendance and crèche workers sign children in and out.
//! The register carries a version (its ETag); a change must name the version it replaces
//! (`VersionRequired` without, `Stale` when someone changed the register since), so two tablets
//! never overwrite each other silently. A change that changes nothing succeeds as it is (a
//! retried request). Every staff read of the register is a read of each family's record:
//! audited. Checking and writing a change is in [`plan`]; the register as shown in [`sheet`];
//! families who came without a booking in [`walk_ins`].

mod access;
pub mod follow_ups;
pub mod incidents;
pub mod key_persons;
pub mod outcomes;
mod plan;
mod sheet;
pub mod walk_ins;

pub use access::{team_access, TeamAccess};
pub use sheet::{
    CallCard, CareFlags, CollectorCard, CrecheCare, CrecheEntry, CrecheRegister, KeyPersonOut,
    MarkCounts, Register, RegisterApology, RegisterChild, RegisterFamily, RegisterVisitor,
};

use crate::db::DbConnection;
use crate::domain::creche::care::{care_view, CareView};
use crate::service::{Actor, Audit, ServiceError, Services, Tx};
use crate::store::venues::Venue;
use crate::store::{self, cohorts::Cohort, cohorts::Session, programmes::Programme};
use chrono::{DateTime, Utc};

/// A family's mark, by booking.
#[derive(Debug, Clone)]
pub struct MarkEntry {
    pub booking_id: i32,
    /// `present`, `late`, `apologies` or `absent`.
    pub status: String,
    /// A late arrival: `None` keeps what the register has, `Some(None)` clears it. Left out
    /// on a mark that is not present or late, it is cleared.
    pub arrived_at: Option<Option<DateTime<Utc>>>,
    /// An early leave, as `arrived_at`.
    pub left_at: Option<Option<DateTime<Utc>>>,
}

/// A crèche child's sign-in and sign-out; both `None` removes a sign-in made by mistake.
#[derive(Debug, Clone)]
pub struct CrecheSignIn {
    pub child_id: i32,
    pub signed_in_at: Option<DateTime<Utc>>,
    pub signed_out_at: Option<DateTime<Utc>>,
    /// Who collected the child, by name: one of the family's carers, or (with `collector_id`)
    /// may be left out.
    pub collected_by: Option<String>,
    /// The listed collector who collected the child.
    pub collector_id: Option<i32>,
    /// The collection password the collector gave, when the parents set one.
    pub collection_password: Option<String>,
    /// A coordinator's reason to let someone not on the list collect the child.
    pub override_reason: Option<String>,
}

/// Mark a session's register: the families and children named change, the others stay.
#[derive(Debug, Clone)]
pub struct MarkRegister {
    pub session_id: i32,
    /// The ETags the caller read (`If-Match`); `None` when none was sent.
    pub if_match: Option<String>,
    pub marks: Vec<MarkEntry>,
    pub creche: Vec<CrecheSignIn>,
    /// Crèche staff actually present, when it differs from those assigned.
    pub creche_staff_present: Option<i32>,
    /// The facilitators' notes on the session, replacing the register's (`None` keeps them).
    pub notes: Option<String>,
    /// Days after a session that its facilitators may still mark it.
    pub window_days: i64,
}

/// The session, its cohort and the actor's part in its team.
struct Context {
    session: Session,
    cohort: Cohort,
    programme: Programme,
    venue: Venue,
    access: TeamAccess,
    /// How much of the crèche children's care the actor needs to know.
    care_view: CareView,
}

/// The session's register (the cohort's lead, co-facilitators and crèche workers;
/// coordinators). Each family shown is an audited read of its record.
pub async fn register(
    services: &Services,
    actor: Actor,
    session_id: i32,
    window_days: i64,
) -> Result<Register, ServiceError> {
    services
        .write(actor, move |tx| {
            let x = context(tx.conn, session_id, tx.actor)?;
            let register = sheet(tx, &x, window_days)?;
            for f in &register.families {
                tx.audit(Audit {
                    action: "family_read",
                    entity: "booking",
                    entity_id: Some(f.booking_id),
                    family_id: Some(f.family_id),
                    detail: format!("register of session {}", register.session.id),
                });
            }
            audit_care_reads(tx, &x, &register);
            for v in &register.visitors {
                tx.audit(Audit {
                    action: "family_read",
                    entity: "session",
                    entity_id: Some(register.session.id),
                    family_id: Some(v.family_id),
                    detail: format!("register of session {}, visitor", register.session.id),
                });
            }
            Ok(register)
        })
        .await
}

/// Marks attendance (lead and co-facilitators; coordinators, also to correct after the marking
/// window) and signs crèche children in and out (also crèche workers), naming the version read.
/// Marks can be made from the session's start (apologies before it) until the window closes; a
/// cancelled session cannot be marked. Unexplained absences in a row open a follow-up, and so do
/// apologies in a row (one alone never); a family who comes back closes theirs. Returns the
/// register after the change.
pub async fn mark_register(
    services: &Services,
    actor: Actor,
    cmd: MarkRegister,
) -> Result<Register, ServiceError> {
    services
        .write(actor, move |tx| {
            let x = locked_context(tx.conn, cmd.session_id, tx.actor)?;
            let Some(if_match) = &cmd.if_match else {
                return Err(ServiceError::VersionRequired(
                    "send If-Match with the register's ETag (from GET), so no one's marks are overwritten".into(),
                ));
            };
            let now = tx.now_naive();
            let plan = plan::plan(tx.conn, &x, &cmd, now)?;
            let staff_unchanged = cmd
                .creche_staff_present
                .is_none_or(|n| Some(n) == staff_present(&x));
            if plan.is_empty() && staff_unchanged {
                let register = sheet(tx, &x, cmd.window_days)?;
                audit_care_reads(tx, &x, &register);
                return Ok(register);
            }
            let current = sheet::etag(&x.session);
            if !sheet::if_match_allows(if_match, &current) {
                return Err(ServiceError::Stale(format!(
                    "the register changed since you read it (now {current}); read it again and redo your marks"
                )));
            }
            // Only the session changed (its version, notes, crèche staff): the rest of the
            // context stands, as the session is locked.
            let mut x = x;
            x.session = plan::apply(tx, &x, &cmd, plan)?;
            let register = sheet(tx, &x, cmd.window_days)?;
            audit_care_reads(tx, &x, &register);
            Ok(register)
        })
        .await
}

/// The session, its cohort and what the actor may do there (not found when it is not theirs).
fn context(c: &mut DbConnection, id: i32, actor: Actor) -> Result<Context, ServiceError> {
    let session = store::cohorts::find_session(c, id)?;
    context_of(c, session, actor)
}

/// [`context`] with the session locked for the transaction (read and locked in one statement).
fn locked_context(c: &mut DbConnection, id: i32, actor: Actor) -> Result<Context, ServiceError> {
    let session = store::registers::session_for_update(c, id)?;
    context_of(c, session, actor)
}

fn context_of(
    c: &mut DbConnection,
    session: Option<Session>,
    actor: Actor,
) -> Result<Context, ServiceError> {
    let missing = || ServiceError::not_found("session");
    let session = session.ok_or_else(missing)?;
    let (cohort, programme, venue) =
        store::cohorts::find_full(c, session.cohort_id)?.ok_or_else(missing)?;
    let access = access::access_to_existing(c, session.cohort_id, actor).map_err(|e| match e {
        ServiceError::NotFound(_) => missing(),
        e => e,
    })?;
    let care_view = match (access, actor) {
        (TeamAccess::Facilitator, Actor::User { id, .. }) => {
            let roles = store::teams::team_roles_of_user(c, cohort.id, id)?;
            care_view(&roles).unwrap_or(CareView::FlagOnly)
        }
        _ => CareView::Details,
    };
    Ok(Context {
        care_view,
        session,
        cohort,
        programme,
        venue,
        access,
    })
}

fn sheet(tx: &mut Tx, x: &Context, window_days: i64) -> Result<Register, ServiceError> {
    let now = tx.now_naive().and_utc();
    sheet::build(tx.conn, x, window_days, now)
}

fn staff_present(x: &Context) -> Option<i32> {
    Some(
        x.session
            .creche_staff_present
            .unwrap_or(x.cohort.creche_workers),
    )
}

/// Each crèche child's care shown on the register is a read of it (the details, or only whether
/// there are any): audited as the care endpoint audits it.
fn audit_care_reads(tx: &mut Tx, x: &Context, register: &Register) {
    let what = match x.care_view {
        CareView::Details => "details",
        CareView::FlagOnly => "flag only",
    };
    for e in &register.creche.children {
        let family_id = register
            .families
            .iter()
            .find(|f| f.booking_id == e.booking_id)
            .map(|f| f.family_id);
        tx.audit(Audit {
            action: "child_care_read",
            entity: "child",
            entity_id: Some(e.child.child_id),
            family_id,
            detail: format!("{what}, register of session {}", register.session.id),
        });
    }
}
