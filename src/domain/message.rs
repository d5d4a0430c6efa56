//! What the service says to families, how, and when: the kinds of message, the channels, a
//! message's delivery status, the family's language, when a reminder is due, and how long to
//! wait before trying a failed delivery again.

use crate::domain::status::text_enum;
use chrono::{DateTime, Days, LocalResult, NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;

text_enum! {
    /// Why a message was sent.
    pub enum MessageKind {
        /// A place is confirmed (with the sessions as a calendar attachment).
        BookingConfirmed = "booking_confirmed",
        /// The group was full: the family is on the waiting list, at this position.
        BookingWaitlisted = "booking_waitlisted",
        /// A place came up and the waitlisted family now has it.
        BookingPromoted = "booking_promoted",
        /// The family cancelled their own booking.
        BookingCancelled = "booking_cancelled",
        /// The centre cancelled the family's booking.
        BookingCancelledByCentre = "booking_cancelled_by_centre",
        /// A session moved to another date or time.
        SessionMoved = "session_moved",
        /// A session will not take place.
        SessionCancelled = "session_cancelled",
        /// The whole group will not take place.
        GroupCancelled = "group_cancelled",
        /// A session is coming up.
        Reminder = "reminder",
        /// To a member of the group's team: the whole group will not take place.
        TeamGroupCancelled = "team_group_cancelled",
        /// To a member of the group's team: a session moved.
        TeamSessionMoved = "team_session_moved",
        /// To a member of the group's team: a session will not take place.
        TeamSessionCancelled = "team_session_cancelled",
        /// Welcome to a new account, with a link to confirm the email address.
        AccountConfirmEmail = "account_confirm_email",
        /// A family enrolled by the centre is invited to make an account and take it over.
        AccountInvitation = "account_invitation",
        /// A link to choose a new password.
        AccountPasswordReset = "account_password_reset",
        /// To a new email address: a link to confirm the change.
        AccountEmailChange = "account_email_change",
        /// To the old email address: the account's address was changed.
        AccountEmailChanged = "account_email_changed",
        /// The account's password was changed.
        AccountPasswordChanged = "account_password_changed",
        /// Something happened to a child in the crèche (an accident, first aid): the family is
        /// told the same day, and can read and acknowledge it in their account.
        CrecheIncident = "creche_incident",
    }
}

impl MessageKind {
    /// Reminders honour the family's opt-out; every other message is about their own booking
    /// and always goes to their contact.
    pub fn is_optional(self) -> bool {
        self == MessageKind::Reminder
    }

    /// What the group's team is told of a change families are told of, when the team hears of
    /// it too: a session moved or cancelled, the group cancelled. Bookings are the families' own.
    pub fn for_team(self) -> Option<MessageKind> {
        match self {
            MessageKind::GroupCancelled => Some(MessageKind::TeamGroupCancelled),
            MessageKind::SessionMoved => Some(MessageKind::TeamSessionMoved),
            MessageKind::SessionCancelled => Some(MessageKind::TeamSessionCancelled),
            _ => None,
        }
    }

    /// A message about an account rather than a booking: sent by email only, to the account's
    /// (or the invited family's) address.
    pub fn is_about_account(self) -> bool {
        matches!(
            self,
            MessageKind::AccountConfirmEmail
                | MessageKind::AccountInvitation
                | MessageKind::AccountPasswordReset
                | MessageKind::AccountEmailChange
                | MessageKind::AccountEmailChanged
                | MessageKind::AccountPasswordChanged
        )
    }

    /// A message carrying a one-time link: nobody but its addressee may read its words, so they
    /// are never shown in the outbox, never sent again, and forgotten once delivered.
    pub fn carries_link(self) -> bool {
        matches!(
            self,
            MessageKind::AccountConfirmEmail
                | MessageKind::AccountInvitation
                | MessageKind::AccountPasswordReset
                | MessageKind::AccountEmailChange
        )
    }

    /// A message to a member of staff (never shown to a family).
    pub fn is_for_team(self) -> bool {
        matches!(
            self,
            MessageKind::TeamGroupCancelled
                | MessageKind::TeamSessionMoved
                | MessageKind::TeamSessionCancelled
        )
    }
}

/// What the outbox shows of a message with a one-time link, and all it keeps once the message
/// was delivered or given up.
pub const LINK_FORGOTTEN: &str = "This message carries a one-time link for its addressee only: \
     its words are not shown, and not kept once it is sent.";

text_enum! {
    /// How a message travels.
    pub enum Channel {
        Email = "email",
        Sms = "sms",
    }
}

text_enum! {
    /// Where a message is on its way.
    pub enum MessageStatus {
        /// Waiting for a worker (first try, or a retry after a temporary failure).
        Queued = "queued",
        /// A worker holds it until its lease ends; after that any worker may take it again.
        Sending = "sending",
        /// The provider accepted it (its id is kept).
        Sent = "sent",
        /// Refused for good (bad address, rejected), or out of attempts.
        Failed = "failed",
        /// Not sent: the family's data was erased before it went.
        Cancelled = "cancelled",
    }
}

text_enum! {
    /// How a family wants to hear from the centre.
    pub enum ContactBy {
        Email = "email",
        Sms = "sms",
        Both = "both",
    }
}

impl ContactBy {
    pub fn channels(self) -> &'static [Channel] {
        match self {
            ContactBy::Email => &[Channel::Email],
            ContactBy::Sms => &[Channel::Sms],
            ContactBy::Both => &[Channel::Email, Channel::Sms],
        }
    }
}

text_enum! {
    /// A family's preferred language as a BCP 47 tag: the commonest languages of the boroughs
    /// the service runs in, then `other` (its name kept beside it as text). Messages are
    /// written in `en`, `pt`, `es` and `pl`; any other language reads English.
    pub enum Language {
        En = "en",
        Pt = "pt",
        Es = "es",
        Pl = "pl",
        Fr = "fr",
        So = "so",
        Ar = "ar",
        Bn = "bn",
        Tr = "tr",
        It = "it",
        Ro = "ro",
        Yo = "yo",
        Tw = "tw",
        Ur = "ur",
        Lt = "lt",
        Other = "other",
    }
}

impl Language {
    /// The language messages are written in for this family.
    pub fn for_messages(self) -> Language {
        match self {
            Language::Pt | Language::Es | Language::Pl => self,
            _ => Language::En,
        }
    }
}

/// When a programme sends its reminders: `days_before` a session, at `at` local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReminderRule {
    pub days_before: u32,
    pub at: NaiveTime,
}

impl Default for ReminderRule {
    /// The day before, at 10:00.
    fn default() -> Self {
        ReminderRule {
            days_before: 1,
            at: NaiveTime::from_hms_opt(10, 0, 0).unwrap_or_default(),
        }
    }
}

/// How near a session may be and still be reminded of: a family who books within the hour
/// has just been told, and a reminder after that would arrive as they walk in.
pub const REMINDER_CUTOFF: TimeDelta = TimeDelta::hours(1);

/// When the reminder of a session starting at `starts` (in zone `tz`) is due. A local time the
/// clocks skip (the spring gap) is read as the same wall time an hour later; one that happens
/// twice (the autumn overlap) as its first occurrence.
pub fn reminder_due(rule: ReminderRule, starts: DateTime<Utc>, tz: Tz) -> DateTime<Utc> {
    let day: NaiveDate = starts.with_timezone(&tz).date_naive();
    let day = day
        .checked_sub_days(Days::new(u64::from(rule.days_before)))
        .unwrap_or(day);
    let local = day.and_time(rule.at);
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        LocalResult::None => tz
            .from_local_datetime(&(local + TimeDelta::hours(1)))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            // No zone skips two hours at once; fall back to reading the time as UTC.
            .unwrap_or_else(|| local.and_utc()),
    }
}

/// Whether the reminder of a session starting at `starts` should be queued at `now`: it is due,
/// and the session is more than [`REMINDER_CUTOFF`] away.
pub fn reminder_wanted(due: DateTime<Utc>, starts: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    due <= now && now + REMINDER_CUTOFF < starts
}

/// How long to wait before try number `attempt + 1` after `attempt` failed tries: `base`
/// doubled each time, capped at `cap`, then a random part (`jitter` in 0..1) of up to a quarter
/// of it added, so that messages that failed together do not all come back together.
pub fn retry_after(attempt: u32, base: TimeDelta, cap: TimeDelta, jitter: f64) -> TimeDelta {
    let doubled = base
        .checked_mul(1i32 << attempt.saturating_sub(1).min(20))
        .unwrap_or(cap);
    let wait = doubled.min(cap);
    let extra = wait.num_milliseconds() as f64 * 0.25 * jitter.clamp(0.0, 1.0);
    wait + TimeDelta::milliseconds(extra as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::London;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn the_team_hears_of_changes_to_the_group_not_of_families_bookings() {
        for kind in MessageKind::ALL {
            match kind.for_team() {
                Some(team) => {
                    assert!(team.is_for_team() && !kind.is_for_team(), "{kind}");
                    assert!(!team.is_optional(), "{kind}");
                }
                None => assert!(
                    kind.is_for_team()
                        || kind.is_about_account()
                        || kind.as_str().starts_with("booking")
                        || *kind == MessageKind::Reminder
                        || *kind == MessageKind::CrecheIncident,
                    "{kind}"
                ),
            }
        }
        for kind in MessageKind::ALL.iter().filter(|k| k.carries_link()) {
            assert!(kind.is_about_account() && !kind.is_optional(), "{kind}");
        }
        assert_eq!(
            MessageKind::GroupCancelled.for_team(),
            Some(MessageKind::TeamGroupCancelled)
        );
        assert_eq!(MessageKind::BookingCancelledByCentre.for_team(), None);
        assert_eq!(MessageKind::TeamSessionMoved.for_team(), None);
    }

    #[test]
    fn the_default_reminder_is_the_day_before_at_ten_local_time_on_both_sides_of_a_clock_change() {
        let rule = ReminderRule::default();
        // Summer: 10:00 BST is 09:00 UTC.
        assert_eq!(
            reminder_due(rule, utc("2027-06-15T09:30:00Z"), London),
            utc("2027-06-14T09:00:00Z")
        );
        // Winter: 10:00 GMT is 10:00 UTC.
        assert_eq!(
            reminder_due(rule, utc("2027-01-12T10:30:00Z"), London),
            utc("2027-01-11T10:00:00Z")
        );
        // A Monday session after the October change (31 Oct 2027): the Sunday before is the
        // change day itself, already in GMT by 10:00.
        assert_eq!(
            reminder_due(rule, utc("2027-11-01T10:00:00Z"), London),
            utc("2027-10-31T10:00:00Z")
        );
        // A Monday after the March change (28 Mar 2027): Sunday 10:00 is BST.
        assert_eq!(
            reminder_due(rule, utc("2027-03-29T09:00:00Z"), London),
            utc("2027-03-28T09:00:00Z")
        );
        // Days are counted on the calendar: Tuesday 30 March's reminder is Monday 10:00 BST.
        assert_eq!(
            reminder_due(rule, utc("2027-03-30T09:00:00Z"), London),
            utc("2027-03-29T09:00:00Z")
        );
    }

    #[test]
    fn a_reminder_time_inside_the_spring_gap_or_the_autumn_overlap_is_read_sensibly() {
        let rule = ReminderRule {
            days_before: 1,
            at: NaiveTime::from_hms_opt(1, 30, 0).unwrap(),
        };
        // 01:30 on 28 March 2027 does not exist in London: read as 02:30 BST = 01:30 UTC.
        assert_eq!(
            reminder_due(rule, utc("2027-03-29T09:00:00Z"), London),
            utc("2027-03-28T01:30:00Z")
        );
        // 01:30 on 31 October 2027 happens twice: the first (BST) one, 00:30 UTC.
        assert_eq!(
            reminder_due(rule, utc("2027-11-01T10:00:00Z"), London),
            utc("2027-10-31T00:30:00Z")
        );
    }

    #[test]
    fn a_reminder_on_the_day_itself_and_the_cutoff() {
        let rule = ReminderRule {
            days_before: 0,
            at: NaiveTime::from_hms_opt(8, 0, 0).unwrap(),
        };
        let starts = utc("2027-06-15T09:30:00Z");
        let due = reminder_due(rule, starts, London);
        assert_eq!(due, utc("2027-06-15T07:00:00Z"));
        assert!(!reminder_wanted(due, starts, utc("2027-06-15T06:59:59Z")));
        assert!(reminder_wanted(due, starts, utc("2027-06-15T07:00:00Z")));
        // Within the hour before the start: too late to remind.
        assert!(reminder_wanted(due, starts, utc("2027-06-15T08:29:59Z")));
        assert!(!reminder_wanted(due, starts, utc("2027-06-15T08:30:00Z")));
    }

    #[test]
    fn retries_back_off_doubling_to_a_cap_with_a_bounded_random_part() {
        let (base, cap) = (TimeDelta::seconds(30), TimeDelta::hours(1));
        assert_eq!(retry_after(1, base, cap, 0.0), TimeDelta::seconds(30));
        assert_eq!(retry_after(2, base, cap, 0.0), TimeDelta::seconds(60));
        assert_eq!(retry_after(5, base, cap, 0.0), TimeDelta::seconds(480));
        assert_eq!(retry_after(12, base, cap, 0.0), cap);
        assert_eq!(retry_after(400, base, cap, 0.0), cap);
        assert_eq!(
            retry_after(1, base, cap, 1.0),
            TimeDelta::milliseconds(37_500)
        );
        assert_eq!(
            retry_after(1, base, cap, 7.0),
            TimeDelta::milliseconds(37_500)
        );
    }

    #[test]
    fn only_the_written_languages_are_used_for_messages_and_the_rest_read_english() {
        assert_eq!(Language::Pt.for_messages(), Language::Pt);
        assert_eq!(Language::Pl.for_messages(), Language::Pl);
        assert_eq!(Language::So.for_messages(), Language::En);
        assert_eq!(Language::Other.for_messages(), Language::En);
        assert!(MessageKind::Reminder.is_optional());
        assert!(!MessageKind::SessionMoved.is_optional());
        assert_eq!(ContactBy::Both.channels(), &[Channel::Email, Channel::Sms]);
    }
}
