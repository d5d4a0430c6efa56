//! `GET/PUT /sessions/{id}/register`: the facilitators mark attendance and crèche workers sign
//! children in and out. The register carries an ETag; a PUT must send it back in `If-Match`
//! (428 without, 412 when someone changed the register since), so two tablets never overwrite
//! each other silently. A PUT that changes nothing succeeds as it is (a retried request).

use super::access::{Require, Staff};
use super::cohort_families::{team_access, TeamAccess};
use super::docs::{E400, E401, E403, E404, E409, E412, E413, E415, E422, E428, E503};
use super::json::ApiJson;
use super::register_view::{self as view, RegisterOut};
use crate::app::AppState;
use crate::auth::tokens::TokenSubject;
use crate::db::{write_transaction, DbConnection};
use crate::domain::register::{may_mark, may_sign_in, Mark, MarkRefusal};
use crate::error::{ApiError, FieldErrors};
use crate::store::{self, cohorts::Cohort, cohorts::Session, programmes::Programme};
use crate::store::{registers::SignIn, venues::Venue};
use actix_web::http::header;
use actix_web::{get, put, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use serde::Deserialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkIn {
    pub booking_id: i32,
    /// `present`, `late`, `apologies` (sent beforehand) or `absent`.
    #[schema(example = "present", value_type = super::docs::MarkStatus)]
    pub status: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CrecheIn {
    pub child_id: i32,
    /// Null (with `signed_out_at` null) removes a sign-in recorded by mistake.
    pub signed_in_at: Option<DateTime<Utc>>,
    pub signed_out_at: Option<DateTime<Utc>>,
    /// Who collected the child; required with `signed_out_at`.
    pub collected_by: Option<String>,
}

/// Marks for the families named and sign-ins for the children named; others stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterBody {
    #[serde(default)]
    pub marks: Vec<MarkIn>,
    #[serde(default)]
    pub creche: Vec<CrecheIn>,
    /// Crèche staff actually present, when it differs from those assigned.
    pub creche_staff_present: Option<i32>,
}

struct Context {
    session: Session,
    cohort: Cohort,
    programme: Programme,
    venue: Venue,
    access: TeamAccess,
}

/// The session, its cohort and what the caller may do there (404 when it is not theirs).
fn context(c: &mut DbConnection, id: i32, who: &TokenSubject) -> Result<Context, ApiError> {
    let session =
        store::cohorts::find_session(c, id)?.ok_or_else(|| ApiError::not_found("session"))?;
    let access = team_access(c, session.cohort_id, who).map_err(|e| match e {
        ApiError::NotFound(_) => ApiError::not_found("session"),
        e => e,
    })?;
    let (cohort, programme, venue) = store::cohorts::find_full(c, session.cohort_id)?
        .ok_or_else(|| ApiError::not_found("session"))?;
    Ok(Context {
        session,
        cohort,
        programme,
        venue,
        access,
    })
}

fn built(
    c: &mut DbConnection,
    x: &Context,
    window: i64,
    now: NaiveDateTime,
) -> Result<RegisterOut, ApiError> {
    let (p, now) = (&x.programme.code, now.and_utc());
    view::build(c, &x.cohort, p, &x.venue, &x.session, window, now)
}

fn answer(out: RegisterOut, etag: String) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(out)
}

/// Records that staff saw these families' records.
fn audit_reads(
    c: &mut DbConnection,
    out: &RegisterOut,
    actor: i32,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    for f in &out.families {
        store::audit::record(
            c,
            store::audit::Event {
                at: now,
                actor_user_id: Some(actor),
                action: "family_read",
                entity: "booking",
                entity_id: Some(f.booking_id),
                family_id: Some(f.family_id),
                detail: format!("register of session {}", out.session.id),
            },
        )?;
    }
    Ok(())
}

/// The session's register (the cohort's lead, co-facilitators and crèche workers; coordinators),
/// with an ETag to send back when marking.
#[utoipa::path(
    tag = "registers",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Session id")),
    responses((status = 200, description = "The register", body = RegisterOut,
               headers(("ETag" = String, description = "Send it back in If-Match to mark"))),
               E401, E403, E404, E503)
)]
#[get("/sessions/{id}/register")]
pub async fn get_register(
    state: web::Data<AppState>,
    who: Require<Staff>,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let (id, user, now) = (id.into_inner(), who.user, state.now_naive());
    let window = state.config.marking_window_days;
    let (out, etag) = state
        .db(move |c| {
            let x = context(c, id, &user)?;
            let out = built(c, &x, window, now)?;
            audit_reads(c, &out, user.user_id, now)?;
            Ok((out, view::etag(&x.session)))
        })
        .await?;
    Ok(answer(out, etag))
}

/// Marks attendance (lead and co-facilitators; coordinators, also to correct after the marking
/// window) and signs crèche children in and out (also crèche workers). Send `If-Match` with the
/// ETag read. Marks can be made from the session's start (apologies before it) until the window
/// closes; a cancelled session cannot be marked. Two unexplained absences in a row open a
/// follow-up; a family who comes back closes theirs.
#[utoipa::path(
    tag = "registers",
    security(("bearer" = [])),
    params(("id" = i32, Path, description = "Session id"),
           ("If-Match" = String, Header, description = "The register's ETag")),
    request_body = RegisterBody,
    responses((status = 200, description = "The register after the change", body = RegisterOut,
               headers(("ETag" = String, description = "The new version"))),
               E400, E401, E403, E404, E409, E412, E413, E415, E422, E428, E503)
)]
#[put("/sessions/{id}/register")]
pub async fn put_register(
    state: web::Data<AppState>,
    who: Require<Staff>,
    req: HttpRequest,
    id: web::Path<i32>,
    body: ApiJson<RegisterBody>,
) -> Result<HttpResponse, ApiError> {
    let (id, user, now) = (id.into_inner(), who.user, state.now_naive());
    let window = state.config.marking_window_days;
    let if_match = req
        .headers()
        .get(header::IF_MATCH)
        .map(|v| v.to_str().unwrap_or("").to_string());
    let body = body.into_inner();
    let (out, etag) = state
        .db(move |c| {
            write_transaction(c, |c| {
                store::registers::lock_session(c, id)?;
                let x = context(c, id, &user)?;
                let Some(if_match) = if_match else {
                    return Err(ApiError::PreconditionRequired(
                        "send If-Match with the register's ETag (from GET), so no one's marks are overwritten".into(),
                    ));
                };
                let plan = plan(c, &x, &body, now, window)?;
                if plan.is_empty() && body.creche_staff_present.is_none_or(|n| Some(n) == staff_present(&x)) {
                    let out = built(c, &x, window, now)?;
                    return Ok((out, view::etag(&x.session)));
                }
                let current = view::etag(&x.session);
                if !if_match.split(',').any(|t| t.trim() == current) {
                    return Err(ApiError::PreconditionFailed(format!(
                        "the register changed since you read it (now {current}); read it again and redo your marks"
                    )));
                }
                apply(c, &x, &body, plan, user.user_id, now)?;
                let x = context(c, id, &user)?;
                let out = built(c, &x, window, now)?;
                Ok((out, view::etag(&x.session)))
            })
        })
        .await?;
    Ok(answer(out, etag))
}

fn staff_present(x: &Context) -> Option<i32> {
    Some(
        x.session
            .creche_staff_present
            .unwrap_or(x.cohort.creche_workers),
    )
}

/// The changes a PUT asks for, checked: marks by booking id, sign-ins by child id.
#[derive(Default)]
struct Plan {
    marks: Vec<(store::bookings::Booking, Mark)>,
    signins: Vec<(i32, i32, Option<SignIn>)>,
}

impl Plan {
    fn is_empty(&self) -> bool {
        self.marks.is_empty() && self.signins.is_empty()
    }
}

fn plan(
    c: &mut DbConnection,
    x: &Context,
    body: &RegisterBody,
    now: NaiveDateTime,
    window: i64,
) -> Result<Plan, ApiError> {
    if x.session.is_cancelled() || x.cohort.status == "cancelled" {
        return Err(ApiError::Conflict(
            "this session was cancelled, so it has no register to mark".into(),
        ));
    }
    if !body.marks.is_empty() && !view::may_mark_attendance(x.access) {
        return Err(ApiError::Forbidden(
            "crèche workers sign children in and out; the facilitators mark attendance".into(),
        ));
    }
    let coordinator = x.access == TeamAccess::Coordinator;
    let (starts, ends) = (x.session.starts_at, x.session.ends_at);
    let closed = |r: MarkRefusal| match r {
        MarkRefusal::WindowClosed { closed_at } => Err(ApiError::Forbidden(format!(
            "marking for this session closed on {}; a coordinator can still correct it",
            closed_at.and_utc().to_rfc3339()
        ))),
        MarkRefusal::NotStartedYet => {
            Ok("only apologies can be recorded before the session starts")
        }
    };
    let mut errors = FieldErrors::new();
    let mut err = |k: String, m: &str| errors.entry(k).or_default().push(m.to_string());
    let current: BTreeMap<i32, String> = store::registers::marks_of_session(c, x.session.id)?
        .into_iter()
        .map(|m| (m.booking_id, m.status))
        .collect();
    let mut out = Plan::default();
    let mut seen = Vec::new();
    for (i, m) in body.marks.iter().enumerate() {
        let b = store::bookings::find(c, m.booking_id)?.filter(|b| {
            b.cohort_id == x.cohort.id && (b.status == "confirmed" || current.contains_key(&b.id))
        });
        let Some(b) = b else {
            err(
                format!("marks[{i}].booking_id"),
                "is not a family booked on this group",
            );
            continue;
        };
        if seen.contains(&b.id) {
            err(format!("marks[{i}].booking_id"), "is named twice");
            continue;
        }
        seen.push(b.id);
        let Some(mark) = Mark::parse(&m.status) else {
            err(
                format!("marks[{i}].status"),
                "must be present, late, apologies or absent",
            );
            continue;
        };
        if let Err(r) = may_mark(mark, starts, ends, now, window, coordinator) {
            err(format!("marks[{i}].status"), closed(r)?);
            continue;
        }
        if current.get(&b.id).map(String::as_str) != Some(mark.as_str()) {
            out.marks.push((b, mark));
        }
    }
    let confirmed: Vec<i32> = store::bookings::of_cohort(c, x.cohort.id, "confirmed")?
        .iter()
        .map(|b| b.id)
        .collect();
    let places = store::bookings::creche_children(c, &confirmed)?;
    let signed: BTreeMap<i32, SignIn> = store::registers::creche_of_session(c, x.session.id)?
        .into_iter()
        .map(|r| {
            (
                r.child_id,
                SignIn {
                    signed_in_at: r.signed_in_at,
                    signed_out_at: r.signed_out_at,
                    collected_by: r.collected_by,
                },
            )
        })
        .collect();
    let mut seen_children = Vec::new();
    for (i, e) in body.creche.iter().enumerate() {
        let key = |f: &str| format!("creche[{i}].{f}");
        let Some((booking_id, _, _)) = places.iter().find(|(_, child, _)| *child == e.child_id)
        else {
            err(
                key("child_id"),
                "has no crèche place in this group, so cannot be signed in",
            );
            continue;
        };
        if seen_children.contains(&e.child_id) {
            err(key("child_id"), "is named twice");
            continue;
        }
        seen_children.push(e.child_id);
        let wanted = match sign_in(e, starts, ends, now) {
            Ok(w) => w,
            Err((field, msg)) => {
                err(key(field), msg);
                continue;
            }
        };
        if wanted.is_some() {
            if let Err(r) = may_sign_in(starts, ends, now, window, coordinator) {
                err(key("signed_in_at"), closed(r)?);
                continue;
            }
        }
        if signed.get(&e.child_id) != wanted.as_ref() {
            out.signins.push((*booking_id, e.child_id, wanted));
        }
    }
    if body
        .creche_staff_present
        .is_some_and(|n| !(0..=50).contains(&n))
    {
        err("creche_staff_present".into(), "must be from 0 to 50");
    }
    ApiError::check_fields(errors)?;
    Ok(out)
}

/// A crèche entry as a sign-in to store, or (field, reason) when it does not make sense.
fn sign_in(
    e: &CrecheIn,
    starts: NaiveDateTime,
    ends: NaiveDateTime,
    now: NaiveDateTime,
) -> Result<Option<SignIn>, (&'static str, &'static str)> {
    let collected_by = e.collected_by.as_deref().unwrap_or("").trim().to_string();
    let Some(signed_in) = e.signed_in_at.map(|t| t.naive_utc()) else {
        return match e.signed_out_at {
            Some(_) => Err((
                "signed_out_at",
                "a child must be signed in before signed out",
            )),
            None => Ok(None),
        };
    };
    let out = e.signed_out_at.map(|t| t.naive_utc());
    // Instants must fall around the session (arrival a little early, collection a little late)
    // and not in the future: a tablet with a wrong clock or zone should be noticed.
    let (earliest, latest) = (starts - Duration::hours(1), ends + Duration::hours(4));
    let plausible =
        |t: NaiveDateTime| t >= earliest && t <= latest && t <= now + Duration::minutes(5);
    if !plausible(signed_in) {
        return Err((
            "signed_in_at",
            "must be during the session, and not in the future",
        ));
    }
    if let Some(o) = out {
        if o < signed_in {
            return Err(("signed_out_at", "must be after the sign-in"));
        }
        if !plausible(o) {
            return Err((
                "signed_out_at",
                "must be during the session, and not in the future",
            ));
        }
        if collected_by.is_empty() {
            return Err(("collected_by", "say who collected the child"));
        }
    }
    if collected_by.chars().count() > 120 {
        return Err(("collected_by", "must be at most 120 characters"));
    }
    Ok(Some(SignIn {
        signed_in_at: signed_in,
        signed_out_at: out,
        collected_by,
    }))
}

fn apply(
    c: &mut DbConnection,
    x: &Context,
    body: &RegisterBody,
    plan: Plan,
    actor: i32,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let session = x.session.id;
    let event = |action, b: &store::bookings::Booking, detail: String| store::audit::Event {
        at: now,
        actor_user_id: Some(actor),
        action,
        entity: "booking",
        entity_id: Some(b.id),
        family_id: Some(b.family_id),
        detail,
    };
    let mut marked = Vec::new();
    for (b, mark) in &plan.marks {
        let before = store::registers::set_mark(c, session, b.id, mark.as_str(), actor, now)?;
        if let Some(before) = before {
            let was = before.unwrap_or_else(|| "unmarked".into());
            let detail = format!("session {session}: {was} → {}", mark.as_str());
            store::audit::record(c, event("attendance_marked", b, detail))?;
            marked.push(b.clone());
        }
    }
    for (booking_id, child, wanted) in &plan.signins {
        store::registers::set_sign_in(
            c,
            session,
            *booking_id,
            *child,
            wanted.as_ref(),
            actor,
            now,
        )?;
        let b =
            store::bookings::find(c, *booking_id)?.ok_or_else(|| ApiError::not_found("booking"))?;
        let what = match wanted {
            None => "sign-in removed".to_string(),
            Some(s) if s.signed_out_at.is_some() => "signed in and out".to_string(),
            Some(_) => "signed in".to_string(),
        };
        store::audit::record(
            c,
            event(
                "creche_signed",
                &b,
                format!("session {session}: child {child} {what}"),
            ),
        )?;
    }
    if let Some(n) = body.creche_staff_present {
        store::registers::set_creche_staff_present(c, session, Some(n))?;
    }
    store::registers::bump_version(c, session)?;
    Ok(store::follow_ups::after_marks(
        c,
        &x.cohort,
        &x.programme,
        &marked,
        actor,
        now.and_utc(),
    )?)
}
