//! Follow-up, not removal: unexplained absences at consecutive sessions open a follow-up for the
//! cohort's lead and co-facilitators; they record contact attempts and close it with an outcome.
//! Only an explicit, confirmed `withdrew` ends the booking; a family who comes back closes theirs.

use crate::api::access::{Require, Staff};
use crate::api::cohorts::families::{team_access, TeamAccess};
use crate::api::docs::{E400, E401, E403, E404, E409, E413, E415, E422, E503};
use crate::api::json::ApiJson;
use crate::api::{utc, validate, PageQuery};
use crate::app::AppState;
use crate::db::{write_transaction, DbConnection};
use crate::error::ApiError;
use crate::store::follow_ups::NewContact;
use crate::store::{self, follow_ups::FollowUp};
use actix_web::{get, patch, web, HttpResponse};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

const OUTCOMES: [&str; 4] = [
    "reengaged",
    "will_rejoin_later",
    "withdrew",
    "unable_to_contact",
];
const METHODS: [&str; 6] = ["phone", "text", "email", "visit", "letter", "other"];

fn audit(
    c: &mut DbConnection,
    actor: i32,
    at: NaiveDateTime,
    f: &FollowUp,
    action: &'static str,
    detail: String,
) -> Result<(), ApiError> {
    store::audit::record(
        c,
        store::audit::Event {
            at,
            actor_user_id: Some(actor),
            action,
            entity: "follow_up",
            entity_id: Some(f.id),
            family_id: Some(f.family_id),
            detail,
        },
    )?;
    Ok(())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactOut {
    pub at: DateTime<Utc>,
    /// phone, text, email, visit, letter or other.
    pub method: String,
    pub reached: bool,
    pub note: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUpOut {
    pub id: i32,
    pub booking_id: i32,
    pub cohort_id: i32,
    pub cohort_title: String,
    pub family_id: i32,
    pub carers_names: Vec<String>,
    pub phone: String,
    /// `open` or `closed`.
    pub status: String,
    /// reengaged, will_rejoin_later, withdrew or unable_to_contact, once closed.
    pub outcome: Option<String>,
    pub note: String,
    /// The session whose absence opened it.
    pub trigger_session_id: i32,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub contacts: Vec<ContactOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUpList {
    pub items: Vec<FollowUpOut>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

fn out(
    c: &mut DbConnection,
    f: FollowUp,
    actor: i32,
    at: NaiveDateTime,
) -> Result<FollowUpOut, ApiError> {
    let fam =
        store::families::find(c, f.family_id)?.ok_or_else(|| ApiError::not_found("family"))?;
    let cohort =
        store::cohorts::find(c, f.cohort_id)?.ok_or_else(|| ApiError::not_found("cohort"))?;
    let contacts = store::follow_ups::contacts_of(c, &[f.id])?
        .into_iter()
        .map(|k| ContactOut {
            at: utc(k.at),
            method: k.method,
            reached: k.reached,
            note: k.note,
        })
        .collect();
    audit(c, actor, at, &f, "family_read", "follow-up".into())?;
    Ok(FollowUpOut {
        id: f.id,
        booking_id: f.booking_id,
        cohort_id: f.cohort_id,
        cohort_title: cohort.title,
        family_id: f.family_id,
        carers_names: [fam.carer_one, fam.carer_two]
            .into_iter()
            .filter(|n| !n.is_empty())
            .collect(),
        phone: fam.phone,
        status: f.status,
        outcome: f.outcome,
        note: f.note,
        trigger_session_id: f.trigger_session_id,
        opened_at: utc(f.opened_at),
        closed_at: f.closed_at.map(utc),
        contacts,
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FollowUpQuery {
    /// `open` or `closed`; both when absent.
    #[param(value_type = Option<crate::api::docs::FollowUpStatus>, inline)]
    pub status: Option<String>,
    pub cohort_id: Option<i32>,
}

/// Follow-ups, newest first: a facilitator's are those of the cohorts they lead or co-facilitate;
/// coordinators see every cohort's. Each family shown is an audited read.
#[utoipa::path(
    tag = "follow-ups",
    security(("bearer" = [])),
    params(FollowUpQuery, PageQuery),
    responses((status = 200, description = "Follow-ups", body = FollowUpList), E400, E401, E403, E422, E503)
)]
#[get("/follow-ups")]
pub async fn list_follow_ups(
    state: web::Data<AppState>,
    who: Require<Staff>,
    q: web::Query<FollowUpQuery>,
    page: web::Query<PageQuery>,
) -> Result<web::Json<FollowUpList>, ApiError> {
    let (limit, offset) = page.checked()?;
    let q = q.into_inner();
    if q.status
        .as_deref()
        .is_some_and(|s| s != "open" && s != "closed")
    {
        return Err(ApiError::field("status", "must be open or closed"));
    }
    let (user, at) = (who.user, state.now_naive());
    let filter = store::follow_ups::Filter {
        status: q.status,
        cohort_id: q.cohort_id,
        lead_user: (user.role == crate::domain::role::Role::Facilitator).then_some(user.user_id),
    };
    let out = state
        .db(move |c| {
            let (rows, total) = store::follow_ups::list(c, &filter, limit, offset)?;
            let items = rows
                .into_iter()
                .map(|f| out(c, f, user.user_id, at))
                .collect::<Result<_, _>>()?;
            Ok(FollowUpList {
                items,
                total,
                limit,
                offset,
            })
        })
        .await?;
    Ok(web::Json(out))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactIn {
    /// When the contact was tried; not in the future.
    pub at: DateTime<Utc>,
    /// phone, text, email, visit, letter or other.
    #[schema(example = "phone", value_type = crate::api::docs::ContactMethod)]
    pub method: String,
    /// Whether the family was reached.
    pub reached: bool,
    #[validate(length(max = 2000))]
    #[schema(max_length = 2000)]
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpPatch {
    /// A contact attempt to add.
    #[validate(nested)]
    pub contact: Option<ContactIn>,
    /// Replaces the follow-up's note.
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub note: Option<String>,
    /// Closes it: reengaged, will_rejoin_later, withdrew or unable_to_contact.
    #[schema(value_type = Option<crate::api::docs::FollowUpOutcome>)]
    pub outcome: Option<String>,
    /// Must be true with `withdrew`: the family's place is then given up (and offered to the
    /// waiting list while that is still possible).
    #[serde(default)]
    pub confirm_withdrawal: bool,
}

/// Records a contact attempt, a note, or closes the follow-up with an outcome (the cohort's lead
/// and co-facilitators; coordinators).
#[utoipa::path(
    tag = "follow-ups",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Follow-up id")),
    request_body = FollowUpPatch,
    responses((status = 200, description = "The follow-up", body = FollowUpOut),
              E400, E401, E403, E404, E409, E413, E415, E422, E503)
)]
#[patch("/follow-ups/{id}")]
pub async fn update_follow_up(
    state: web::Data<AppState>,
    who: Require<Staff>,
    id: web::Path<i32>,
    body: ApiJson<FollowUpPatch>,
) -> Result<HttpResponse, ApiError> {
    let b = body.into_inner();
    validate(&b)?;
    let now = state.now();
    check_patch(&b, now)?;
    let (id, user, at) = (id.into_inner(), who.user, now.naive_utc());
    let out = state
        .db(move |c| {
            write_transaction(c, |c| {
                let f = store::follow_ups::find(c, id)?
                    .ok_or_else(|| ApiError::not_found("follow-up"))?;
                match team_access(c, f.cohort_id, &user) {
                    Ok(TeamAccess::Coordinator | TeamAccess::Facilitator) => {}
                    _ => return Err(ApiError::not_found("follow-up")),
                }
                if f.status != "open" {
                    return Err(ApiError::Conflict(
                        "this follow-up is already closed".into(),
                    ));
                }
                if let Some(k) = &b.contact {
                    let new = NewContact {
                        at: k.at.naive_utc(),
                        method: &k.method,
                        reached: k.reached,
                        note: k.note.trim(),
                    };
                    store::follow_ups::add_contact(c, f.id, &new, user.user_id, at)?;
                    audit(
                        c,
                        user.user_id,
                        at,
                        &f,
                        "follow_up_contact",
                        format!("{} attempt", k.method),
                    )?;
                }
                let note = b
                    .note
                    .as_deref()
                    .map(str::trim)
                    .unwrap_or(&f.note)
                    .to_string();
                if b.note.is_some() {
                    store::follow_ups::set_note(c, f.id, &note)?;
                }
                if let Some(outcome) = &b.outcome {
                    if outcome == "withdrew" {
                        withdraw(c, &f, user.user_id, now)?;
                    }
                    store::follow_ups::close(c, f.id, outcome, &note, Some(user.user_id), at)?;
                    audit(c, user.user_id, at, &f, "follow_up_closed", outcome.clone())?;
                }
                let f = store::follow_ups::find(c, id)?
                    .ok_or_else(|| ApiError::not_found("follow-up"))?;
                out(c, f, user.user_id, at)
            })
        })
        .await?;
    state.listing_cache.invalidate();
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(out))
}

fn check_patch(b: &FollowUpPatch, now: DateTime<Utc>) -> Result<(), ApiError> {
    if let Some(k) = &b.contact {
        if !METHODS.contains(&k.method.as_str()) {
            return Err(ApiError::field(
                "contact.method",
                format!("must be one of {}", METHODS.join(", ")),
            ));
        }
        if k.at > now + chrono::Duration::minutes(5) {
            return Err(ApiError::field("contact.at", "must not be in the future"));
        }
    }
    match b.outcome.as_deref() {
        Some(o) if !OUTCOMES.contains(&o) => Err(ApiError::field(
            "outcome",
            format!("must be one of {}", OUTCOMES.join(", ")),
        )),
        Some("withdrew") if !b.confirm_withdrawal => Err(ApiError::field(
            "confirm_withdrawal",
            "must be true to record that the family withdrew: their place will be given up",
        )),
        // Well-formed but empty: a 422 like every other rule (400 is for a malformed request).
        _ if b.contact.is_none() && b.note.is_none() && b.outcome.is_none() => Err(
            ApiError::field("body", "send a contact, a note or an outcome"),
        ),
        _ => Ok(()),
    }
}

/// The family said they are leaving: give up the place (the waiting list may be promoted). A
/// booking already ended, or a group already finished, is left as it is.
fn withdraw(
    c: &mut DbConnection,
    f: &FollowUp,
    actor: i32,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    use crate::service::{Actor, ServiceError as S, Tx};
    let actor = Actor::User {
        id: actor,
        role: crate::domain::role::Role::Facilitator,
    };
    match Tx::within(c, actor, now, |tx| {
        crate::service::booking::end_booking(tx, f.booking_id)
    }) {
        Ok(_) | Err(S::BookingEnded { .. } | S::GroupFinished) => Ok(()),
        Err(e) => Err(e.into()),
    }
}
