//! What was sent to families and to the groups' teams: the outbox for coordinators (filter, see
//! each message's delivery, send one again), and a family's own messages.

use crate::api::access::{Coordinator, Parent, Require};
use crate::api::docs::{E400, E401, E403, E404, E409, E422, E503};
use crate::api::{one_of, utc, PageQuery};
use crate::app::AppState;
use crate::domain::message::{Channel, Language, MessageKind, MessageStatus};
use crate::error::ApiError;
use crate::service::messages::{self, MessageQuery as Query};
use crate::store::messages::{Filter, Message};
use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// One message as coordinators see it, with its delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageOut {
    pub id: i32,
    /// Stable for the message's life: its email `Message-ID` (`<reference@domain>`) or its
    /// Notify `reference`.
    pub reference: String,
    pub family_id: Option<i32>,
    /// Set on a message to a member of a group's team (then `family_id` is null).
    pub staff_id: Option<i32>,
    pub booking_id: Option<i32>,
    pub cohort_id: Option<i32>,
    pub session_id: Option<i32>,
    pub kind: MessageKind,
    pub channel: Channel,
    /// The email address or phone number (empty once the family's data was erased).
    pub recipient: String,
    /// The language it is written in.
    pub language: Language,
    pub subject: String,
    /// The plain-text words (the text message itself, for SMS).
    pub body_text: String,
    /// Whether the email carries the sessions as a calendar file.
    pub has_calendar: bool,
    pub status: MessageStatus,
    /// Tries so far.
    pub attempts: i32,
    /// When a queued message is next tried.
    pub next_attempt_at: DateTime<Utc>,
    /// `smtp`, `notify` or `folder`: who took (or refused) it last.
    pub provider: String,
    /// The provider's own id for it, once sent.
    pub provider_id: String,
    /// Why the last try failed.
    pub last_error: String,
    /// The message this one sends again.
    pub resent_from: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

impl From<Message> for MessageOut {
    fn from(m: Message) -> Self {
        MessageOut {
            id: m.id,
            reference: m.reference,
            family_id: m.family_id,
            staff_id: m.staff_id,
            booking_id: m.booking_id,
            cohort_id: m.cohort_id,
            session_id: m.session_id,
            kind: m.kind,
            channel: m.channel,
            recipient: m.recipient,
            language: m.language,
            subject: m.subject,
            // A one-time link is for its addressee only, even before it is sent.
            body_text: if m.kind.carries_link() {
                crate::domain::message::LINK_FORGOTTEN.to_string()
            } else {
                m.body_text
            },
            has_calendar: !m.calendar.is_empty(),
            status: m.status,
            attempts: m.attempts,
            next_attempt_at: utc(m.next_attempt_at),
            provider: m.provider,
            provider_id: m.provider_id,
            last_error: m.last_error,
            resent_from: m.resent_from,
            created_at: utc(m.created_at),
            sent_at: m.sent_at.map(utc),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessageList {
    pub items: Vec<MessageOut>,
    pub total: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MessageFilter {
    /// One family's messages (an audited read of that family).
    #[param(minimum = 1)]
    pub family_id: Option<i32>,
    /// One team member's messages.
    #[param(minimum = 1)]
    pub staff_id: Option<i32>,
    #[param(minimum = 1)]
    pub cohort_id: Option<i32>,
    #[param(value_type = Option<MessageKind>, inline)]
    pub kind: Option<String>,
    #[param(value_type = Option<MessageStatus>, inline)]
    pub status: Option<String>,
}

/// Messages sent (or being sent) to families and to the groups' teams, newest first, with how
/// each delivery went (coordinators). Filter by family, team member, cohort, kind or status; a
/// failed message can be sent again.
#[utoipa::path(
    tag = "messages",
    security(("bearer" = [])),
    params(MessageFilter, PageQuery),
    responses((status = 200, description = "Messages", body = MessageList), E400, E401, E403, E422, E503)
)]
#[get("/messages")]
pub async fn list_messages(
    state: web::Data<AppState>,
    who: Require<Coordinator>,
    q: web::Query<MessageFilter>,
    page: web::Query<PageQuery>,
) -> Result<web::Json<MessageList>, ApiError> {
    let (limit, offset) = page.checked()?;
    let q = q.into_inner();
    ApiError::check_ids(&[
        ("family_id", q.family_id),
        ("staff_id", q.staff_id),
        ("cohort_id", q.cohort_id),
    ])?;
    let kind = match q.kind.as_deref() {
        None => None,
        Some(k) => Some(
            MessageKind::parse(k)
                .ok_or_else(|| ApiError::field("kind", one_of(MessageKind::ALL)))?,
        ),
    };
    let status = match q.status.as_deref() {
        None => None,
        Some(s) => Some(
            MessageStatus::parse(s)
                .ok_or_else(|| ApiError::field("status", one_of(MessageStatus::ALL)))?,
        ),
    };
    let page = messages::messages(
        &state.services,
        who.actor(),
        Query {
            filter: Filter {
                family_id: q.family_id,
                staff_id: q.staff_id,
                cohort_id: q.cohort_id,
                kind,
                status,
            },
            limit,
            offset,
        },
    )
    .await?;
    Ok(web::Json(MessageList {
        total: page.total,
        items: page.items.into_iter().map(MessageOut::from).collect(),
    }))
}

/// Send a message again, as a new message (coordinators): for one that failed, or that a
/// family says never arrived. 409 when its family's data was erased.
#[utoipa::path(
    tag = "messages",
    security(("bearer" = [])),
    params(("id" = i32, Path, minimum = 1, description = "The message to send again")),
    responses((status = 201, description = "Queued again, as this new message", body = MessageOut,
               headers(("Location" = String, description = "The new message"))),
              E401, E403, E404, E409, E503)
)]
#[post("/messages/{id}/resend")]
pub async fn resend_message(
    state: web::Data<AppState>,
    who: Require<Coordinator>,
    id: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let m = messages::resend(&state.services, who.actor(), id.into_inner()).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/messages/{}", m.id)))
        .json(MessageOut::from(m)))
}

/// One message with its delivery (coordinators). Reading a family's message is an audited read
/// of that family.
#[utoipa::path(
    tag = "messages",
    security(("bearer" = [])),
    params(("id" = i32, Path, minimum = 1)),
    responses((status = 200, description = "The message", body = MessageOut), E401, E403, E404, E503)
)]
#[get("/messages/{id}")]
pub async fn get_message(
    state: web::Data<AppState>,
    who: Require<Coordinator>,
    id: web::Path<i32>,
) -> Result<web::Json<MessageOut>, ApiError> {
    let m = messages::message(&state.services, who.actor(), id.into_inner()).await?;
    Ok(web::Json(m.into()))
}

/// One message as its family sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyMessage {
    pub id: i32,
    pub kind: MessageKind,
    pub channel: Channel,
    pub booking_id: Option<i32>,
    pub subject: String,
    /// The words (plain text).
    pub body_text: String,
    /// `queued` and `sending` are on their way; `failed` did not reach you.
    pub status: MessageStatus,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MyMessageList {
    pub items: Vec<MyMessage>,
    pub total: i64,
}

/// The messages sent to my family, newest first: confirmations, waiting-list news, changes,
/// cancellations and reminders (parent).
#[utoipa::path(
    tag = "messages",
    security(("bearer" = [])),
    responses((status = 200, description = "My family's messages", body = MyMessageList), E401, E403, E404, E503)
)]
#[get("/me/messages")]
pub async fn my_messages(
    state: web::Data<AppState>,
    who: Require<Parent>,
) -> Result<web::Json<MyMessageList>, ApiError> {
    let items: Vec<MyMessage> = messages::my_messages(&state.services, who.actor())
        .await?
        .into_iter()
        .map(|m| MyMessage {
            id: m.id,
            kind: m.kind,
            channel: m.channel,
            booking_id: m.booking_id,
            subject: m.subject,
            body_text: if m.kind.carries_link() {
                crate::domain::message::LINK_FORGOTTEN.to_string()
            } else {
                m.body_text
            },
            status: m.status,
            created_at: utc(m.created_at),
            sent_at: m.sent_at.map(utc),
        })
        .collect();
    Ok(web::Json(MyMessageList {
        total: items.len() as i64,
        items,
    }))
}
