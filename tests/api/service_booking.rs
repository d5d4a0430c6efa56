//! The booking use cases called directly, without HTTP: `service::booking::{book_place,
//! cancel_booking}` on both databases. The groups and families are set up over HTTP as a centre
//! would; what is under test is the use case itself: its outcome, its errors in the product's
//! words, the audit events it writes in its own transaction, and the listing signal after COMMIT.

use crate::bookings::{cosp_group, parent};
use crate::db_test;
use crate::helpers::TestApp;
use groupwork::domain::role::Role;
use groupwork::domain::status::BookingStatus;
use groupwork::service::booking::{self, BookPlace, BookingView};
use groupwork::service::{Actor, ServiceError};
use groupwork::store;
use std::future::Future;

fn block_on<T>(f: impl Future<Output = T>) -> T {
    actix_web::rt::System::new().block_on(f)
}

/// A parent (with a child born in 2025) as the use cases see them.
fn parent_actor(app: &TestApp, email: &str) -> (Actor, i64) {
    let (token, child) = parent(app, email, "2025-01-10");
    let id = app.user_id(&token) as i32;
    (
        Actor::User {
            id,
            role: Role::Parent,
        },
        child,
    )
}

fn place(cohort: i64, children: &[i64]) -> BookPlace {
    BookPlace {
        cohort_id: cohort as i32,
        family_id: None,
        carers: 1,
        creche_child_ids: children.iter().map(|c| *c as i32).collect(),
        idempotency_key: None,
    }
}

fn book(app: &TestApp, actor: Actor, cmd: BookPlace) -> Result<BookingView, ServiceError> {
    block_on(booking::book_place(&app.state.services, actor, cmd))
}

/// The audit actions recorded for a booking, oldest first, with their actor.
fn audit_of(app: &TestApp, booking: i32) -> Vec<(String, Option<i32>)> {
    let mut conn = app.state.pool.get().unwrap();
    store::audit::for_entity(&mut conn, "booking", booking)
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.actor_user_id))
        .collect()
}

db_test! {
    fn booking_confirms_then_waitlists_audits_and_signals_the_listing(app) {
        let cohort = cosp_group(&app, 1, 1, 10);
        let signals = app.state.services.signals.clone();
        let (first, child) = parent_actor(&app, "first@example.org");
        let before = signals.listing_generation();
        let confirmed = book(&app, first, place(cohort, &[child])).unwrap();
        assert_eq!(
            (confirmed.status.as_str(), confirmed.waitlist_position, confirmed.creche_child_ids.len()),
            ("confirmed", None, 1)
        );
        assert!(signals.listing_generation() > before, "a booking changes places left");
        assert_eq!(audit_of(&app, confirmed.id), [("booking_made".to_string(), first.user_id())]);

        let (second, _) = parent_actor(&app, "second@example.org");
        let waiting = book(&app, second, place(cohort, &[])).unwrap();
        assert_eq!((waiting.status.as_str(), waiting.waitlist_position), ("waitlisted", Some(1)));

        // The same family again: refused in the product's words, and nothing written.
        let again = book(&app, first, place(cohort, &[])).unwrap_err();
        assert!(
            matches!(again, ServiceError::AlreadyBooked { booking_id: Some(id) } if id == confirmed.id),
            "{again:?}"
        );
        // Another family's child cannot have a crèche place on this booking.
        let (third, _) = parent_actor(&app, "third@example.org");
        let refused = book(&app, third, place(cohort, &[child])).unwrap_err();
        assert!(matches!(refused, ServiceError::Invalid { ref errors, .. } if errors.contains_key("creche_child_ids")), "{refused:?}");
        let mut conn = app.state.pool.get().unwrap();
        let made = store::bookings::of_cohort(&mut conn, cohort as i32, BookingStatus::Waitlisted).unwrap();
        assert_eq!(made.len(), 1, "refusals book nothing");
    }
}

db_test! {
    fn a_retry_with_the_same_key_gets_the_first_answer(app) {
        let cohort = cosp_group(&app, 2, 1, 10);
        let (p, _) = parent_actor(&app, "retry@example.org");
        let keyed = BookPlace { idempotency_key: Some("k-1".into()), ..place(cohort, &[]) };
        let first = book(&app, p, keyed.clone()).unwrap();
        let second = book(&app, p, keyed.clone()).unwrap();
        assert_eq!((first.id, first.created_at), (second.id, second.created_at));
        let other = book(&app, p, BookPlace { carers: 2, ..keyed }).unwrap_err();
        assert!(matches!(other, ServiceError::IdempotencyKeyReused), "{other:?}");
    }
}

db_test! {
    fn cancelling_frees_the_place_for_the_waiting_list_in_one_transaction(app) {
        let cohort = cosp_group(&app, 1, 1, 10);
        let (a, _) = parent_actor(&app, "a@example.org");
        let (b, _) = parent_actor(&app, "b@example.org");
        let held = book(&app, a, place(cohort, &[])).unwrap();
        let waiting = book(&app, b, place(cohort, &[])).unwrap();
        assert_eq!(waiting.status, BookingStatus::Waitlisted);

        // Another parent cannot see, let alone cancel, this booking.
        let nosy = block_on(booking::cancel_booking(&app.state.services, b, held.id)).unwrap_err();
        assert!(matches!(nosy, ServiceError::NotFound(_)), "{nosy:?}");

        let ended = block_on(booking::cancel_booking(&app.state.services, a, held.id)).unwrap();
        assert_eq!(ended, BookingStatus::Cancelled, "before the group starts");
        let promoted = block_on(booking::booking(&app.state.services, b, waiting.id)).unwrap();
        assert_eq!((promoted.status.as_str(), promoted.waitlist_position), ("confirmed", None));
        // Both events carry whoever freed the place.
        assert_eq!(audit_of(&app, held.id).last(), Some(&("booking_cancelled".to_string(), a.user_id())));
        assert_eq!(audit_of(&app, waiting.id).last(), Some(&("booking_promoted".to_string(), a.user_id())));

        let twice = block_on(booking::cancel_booking(&app.state.services, a, held.id)).unwrap_err();
        assert!(matches!(twice, ServiceError::BookingEnded { ref status } if *status == BookingStatus::Cancelled), "{twice:?}");
    }
}

db_test! {
    fn once_the_group_has_started_a_cancellation_is_a_withdrawal(app) {
        let cohort = cosp_group(&app, 2, 1, 10);
        let (a, _) = parent_actor(&app, "late@example.org");
        let held = book(&app, a, place(cohort, &[])).unwrap();
        // The first session is Tuesday 3 March 2026 at 10:00 in London.
        app.clock.set(chrono::DateTime::parse_from_rfc3339("2026-03-03T12:30:00Z").unwrap().into());
        let ended = block_on(booking::cancel_booking(&app.state.services, a, held.id)).unwrap();
        assert_eq!(ended, BookingStatus::Withdrawn);
        // A staff read of the family's booking leaves a trace; the parent's own does not.
        let coordinator = Actor::User { id: app.user_id(&app.user_token(Role::Coordinator)) as i32, role: Role::Coordinator };
        block_on(booking::booking(&app.state.services, a, held.id)).unwrap();
        block_on(booking::booking(&app.state.services, coordinator, held.id)).unwrap();
        let reads: Vec<_> = audit_of(&app, held.id).into_iter().filter(|(a, _)| a == "family_read").collect();
        assert_eq!(reads, [("family_read".to_string(), coordinator.user_id())]);
    }
}
