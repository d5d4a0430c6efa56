//! Writing one message: the words (Fluent, per language) laid out by the templates in
//! `templates/messages/` as a plain-text and an HTML email, and as a short text message that
//! carries a link and no personal detail.

use super::words::{day, say, time, Args};
use crate::domain::message::{Language, MessageKind};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use fluent_templates::fluent_bundle::FluentValue;
use minijinja::{context, Environment};
use std::borrow::Cow;
use std::sync::OnceLock;

/// When one session starts and ends.
#[derive(Debug, Clone, Copy)]
pub struct SessionTimes {
    pub starts: DateTime<Utc>,
    pub ends: DateTime<Utc>,
    pub cancelled: bool,
}

/// What a message says, before it is put in words.
#[derive(Debug, Clone)]
pub struct Facts {
    pub group: String,
    pub venue: String,
    /// The venue's name and address, on one line.
    pub venue_address: String,
    pub tz: Tz,
    /// The family's sessions (a confirmation lists them all).
    pub sessions: Vec<SessionTimes>,
    /// The session the message is about (moved, cancelled, reminded of).
    pub session: Option<SessionTimes>,
    /// Where a moved session was.
    pub moved_from: Option<SessionTimes>,
    pub waitlist_position: Option<i64>,
    pub creche_children: usize,
    /// The centre's own note (cancellations), as written.
    pub reason: Option<String>,
    /// Where the family sees their bookings.
    pub link: String,
    /// A link that confirms the family's email address, when the first confirmation doubles as
    /// that (an account's address not yet confirmed).
    pub confirm_link: Option<String>,
    /// What happened in the crèche, for the message that tells the family of it.
    pub incident: Option<IncidentFacts>,
}

/// An incident in the crèche as the family is told it: the child's first name, when, what
/// happened and the first aid given, as the crèche worker wrote them (not translated).
#[derive(Debug, Clone)]
pub struct IncidentFacts {
    pub child: String,
    pub at: DateTime<Utc>,
    pub what_happened: String,
    /// "" when none was given.
    pub first_aid: String,
}

/// A message in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub subject: String,
    pub text: String,
    pub html: String,
    pub sms: String,
}

/// Every Fluent id the messages use (the translation tests walk it).
pub const ALL_WORDS: &[&str] = &[
    "greeting",
    "sign-off",
    "booking-confirmed-subject",
    "booking-confirmed-intro",
    "booking-confirmed-sms",
    "booking-waitlisted-subject",
    "booking-waitlisted-intro",
    "booking-waitlisted-next",
    "booking-waitlisted-sms",
    "booking-promoted-subject",
    "booking-promoted-intro",
    "booking-promoted-sms",
    "booking-cancelled-subject",
    "booking-cancelled-intro",
    "booking-cancelled-by-centre-intro",
    "booking-cancelled-next",
    "booking-cancelled-sms",
    "session-moved-subject",
    "session-moved-intro",
    "session-moved-was",
    "session-moved-now",
    "session-moved-sms",
    "session-cancelled-subject",
    "session-cancelled-intro",
    "session-cancelled-sms",
    "group-cancelled-subject",
    "group-cancelled-intro",
    "group-cancelled-next",
    "group-cancelled-sms",
    "reminder-subject",
    "reminder-intro",
    "reminder-cannot-come",
    "reminder-opt-out",
    "reminder-sms",
    "team-group-cancelled-subject",
    "team-group-cancelled-intro",
    "team-group-cancelled-sms",
    "team-session-moved-subject",
    "team-session-moved-intro",
    "team-session-moved-sms",
    "team-session-cancelled-subject",
    "team-session-cancelled-intro",
    "team-session-cancelled-sms",
    "team-families-told",
    "reason",
    "sessions-heading",
    "session-line",
    "session-line-cancelled",
    "where",
    "creche-booked",
    "creche-bring",
    "calendar-attached",
    "calendar-updated",
    "see-bookings",
    "see-bookings-link",
    "confirm-address",
    "account-sign-off",
    "account-link-valid-hours",
    "account-link-valid-days",
    "account-not-you",
    "account-confirm-email-subject",
    "account-confirm-email-intro",
    "account-confirm-email-ask",
    "account-confirm-email-action",
    "account-confirm-email-sms",
    "account-invitation-subject",
    "account-invitation-intro",
    "account-invitation-ask",
    "account-invitation-action",
    "account-invitation-sms",
    "account-password-reset-subject",
    "account-password-reset-intro",
    "account-password-reset-ask",
    "account-password-reset-action",
    "account-password-reset-sms",
    "account-email-change-subject",
    "account-email-change-intro",
    "account-email-change-ask",
    "account-email-change-action",
    "account-email-change-sms",
    "account-email-changed-subject",
    "account-email-changed-intro",
    "account-email-changed-ask",
    "account-email-changed-sms",
    "account-password-changed-subject",
    "account-password-changed-intro",
    "account-password-changed-ask",
    "account-password-changed-sms",
    "creche-incident-subject",
    "creche-incident-intro",
    "creche-incident-what",
    "creche-incident-first-aid",
    "creche-incident-no-first-aid",
    "creche-incident-ask",
    "creche-incident-see",
    "creche-incident-see-link",
    "creche-incident-sms",
];

fn templates() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        // Auto-escaping follows the name: the .html layout is escaped, the .txt one is not.
        for (name, source) in [
            (
                "email.txt",
                include_str!("../../templates/messages/email.txt"),
            ),
            (
                "email.html",
                include_str!("../../templates/messages/email.html"),
            ),
        ] {
            if let Err(e) = env.add_template(name, source) {
                tracing::error!(error = %e, name, "message template does not parse");
            }
        }
        env
    })
}

/// The words of one message, with its values.
struct Wording {
    lang: Language,
    args: Args,
}

impl Wording {
    fn new(lang: Language) -> Self {
        Wording {
            lang,
            args: Args::new(),
        }
    }

    fn set(&mut self, name: &'static str, value: impl Into<FluentValue<'static>>) {
        self.args.insert(Cow::Borrowed(name), value.into());
    }

    /// Sets `date`, `start` and `end` to one session's, in the group's zone.
    fn times(&mut self, s: SessionTimes, tz: Tz) {
        let (starts, ends) = (s.starts.with_timezone(&tz), s.ends.with_timezone(&tz));
        self.set("date", day(self.lang, starts));
        self.set("start", time(starts));
        self.set("end", time(ends));
    }

    fn say(&self, id: &str) -> String {
        say(self.lang, id, &self.args)
    }
}

/// The start of a kind's Fluent ids (`booking-confirmed-subject`, …).
fn words_prefix(kind: MessageKind) -> &'static str {
    match kind {
        MessageKind::BookingConfirmed => "booking-confirmed",
        MessageKind::BookingWaitlisted => "booking-waitlisted",
        MessageKind::BookingPromoted => "booking-promoted",
        MessageKind::BookingCancelled | MessageKind::BookingCancelledByCentre => {
            "booking-cancelled"
        }
        MessageKind::SessionMoved => "session-moved",
        MessageKind::SessionCancelled => "session-cancelled",
        MessageKind::GroupCancelled => "group-cancelled",
        MessageKind::Reminder => "reminder",
        MessageKind::TeamGroupCancelled => "team-group-cancelled",
        MessageKind::TeamSessionMoved => "team-session-moved",
        MessageKind::TeamSessionCancelled => "team-session-cancelled",
        MessageKind::AccountConfirmEmail => "account-confirm-email",
        MessageKind::AccountInvitation => "account-invitation",
        MessageKind::AccountPasswordReset => "account-password-reset",
        MessageKind::AccountEmailChange => "account-email-change",
        MessageKind::AccountEmailChanged => "account-email-changed",
        MessageKind::AccountPasswordChanged => "account-password-changed",
        MessageKind::CrecheIncident => "creche-incident",
    }
}

/// What a message about an account says: its one-time link and how long that works, or (for a
/// notice) the new address.
#[derive(Debug, Clone, Default)]
pub struct AccountFacts {
    /// The one-time link (empty for a notice).
    pub link: String,
    /// How long the link works.
    pub valid_for: Option<chrono::TimeDelta>,
    /// The account's new address (the notice of a change of address).
    pub email: String,
}

/// Puts a message about an account in words in `lang`: why it came, the link (a button in the
/// HTML email) and for how long it works, and what to do if the reader did not ask for it.
pub fn write_account(kind: MessageKind, lang: Language, facts: &AccountFacts) -> Written {
    let lang = lang.for_messages();
    let prefix = words_prefix(kind);
    let mut w = Wording::new(lang);
    w.set("link", facts.link.clone());
    w.set("email", facts.email.clone());
    if let Some(valid) = facts.valid_for {
        if valid.num_hours() < 24 {
            w.set("hours", valid.num_hours().max(1));
        } else {
            w.set("days", valid.num_days());
        }
    }
    let say = |part: &str| w.say(&format!("{prefix}-{part}"));
    let mut intro = vec![say("intro"), say("ask")];
    let mut more = Vec::new();
    if let Some(valid) = facts.valid_for {
        more.push(w.say(if valid.num_hours() < 24 {
            "account-link-valid-hours"
        } else {
            "account-link-valid-days"
        }));
    }
    if kind.carries_link() {
        more.push(w.say("account-not-you"));
    }
    let action = if facts.link.is_empty() {
        String::new()
    } else {
        say("action")
    };
    // The plain-text email shows the address itself, after the words of the button.
    let link = if facts.link.is_empty() {
        String::new()
    } else {
        format!("{action}: {}", facts.link)
    };
    intro.retain(|p| !p.is_empty());
    written_without_sessions(Plain {
        lang,
        subject: say("subject"),
        greeting: w.say("greeting"),
        intro,
        more,
        link,
        link_url: &facts.link,
        link_text: action,
        sign_off: w.say("account-sign-off"),
        sms: say("sms"),
    })
}

/// An email about something other than sessions (an account's link, a crèche incident): its
/// words, laid out by the same templates with no list of sessions.
struct Plain<'a> {
    lang: Language,
    subject: String,
    greeting: String,
    intro: Vec<String>,
    more: Vec<String>,
    /// The plain-text line with the address, or "".
    link: String,
    link_url: &'a str,
    link_text: String,
    sign_off: String,
    sms: String,
}

fn written_without_sessions(p: Plain<'_>) -> Written {
    let page = context! {
        lang => p.lang.as_str(),
        subject => &p.subject,
        greeting => p.greeting,
        intro => p.intro,
        sessions_heading => "",
        sessions => Vec::<String>::new(),
        place => "",
        more => p.more,
        link => p.link,
        link_url => p.link_url,
        link_text => p.link_text,
        sign_off => p.sign_off,
    };
    Written {
        text: render("email.txt", &page),
        html: render("email.html", &page),
        sms: p.sms,
        subject: p.subject,
    }
}

fn render(name: &str, page: &minijinja::Value) -> String {
    templates()
        .get_template(name)
        .and_then(|t| t.render(page))
        .unwrap_or_else(|e| {
            tracing::error!(error = %e, name, "message template failed");
            String::new()
        })
}

/// The paragraph that asks the family to confirm their address, when the message carries the
/// link that does it.
fn confirm_address(lang: Language, facts: &Facts) -> Option<String> {
    let link = facts.confirm_link.as_ref()?;
    let mut w = Wording::new(lang);
    w.set("confirm", link.clone());
    Some(w.say("confirm-address"))
}

/// Puts one message in words in `lang`.
pub fn write(kind: MessageKind, lang: Language, facts: &Facts) -> Written {
    if kind.is_about_account() {
        let account = AccountFacts {
            link: facts.link.clone(),
            ..AccountFacts::default()
        };
        return write_account(kind, lang, &account);
    }
    if kind == MessageKind::CrecheIncident {
        return write_incident(lang, facts);
    }
    let lang = lang.for_messages();
    let mut w = Wording::new(lang);
    w.set("group", facts.group.clone());
    w.set("venue", facts.venue.clone());
    w.set("link", facts.link.clone());
    w.set("count", facts.creche_children as i64);
    w.set("position", facts.waitlist_position.unwrap_or(0));
    let first = facts.sessions.iter().find(|s| !s.cancelled).copied();
    if let Some(s) = facts.session.or(first) {
        w.times(s, facts.tz);
    }

    let mut intro: Vec<String> = Vec::new();
    let mut more: Vec<String> = Vec::new();
    let mut list_sessions = false;
    let mut show_place = false;
    let reason = facts
        .reason
        .as_ref()
        .filter(|r| !r.trim().is_empty())
        .map(|r| {
            let mut with = Wording::new(lang);
            with.set("reason", r.trim().to_string());
            with.say("reason")
        });
    let creche = |more: &mut Vec<String>| {
        if facts.creche_children > 0 {
            more.push(w.say("creche-booked"));
            more.push(w.say("creche-bring"));
        }
    };
    // Each kind's words share its prefix: `<prefix>-subject`, `-intro`, `-sms`.
    let prefix = words_prefix(kind);
    let say = |part: &str| w.say(&format!("{prefix}-{part}"));
    match kind {
        MessageKind::BookingConfirmed | MessageKind::BookingPromoted => {
            intro.push(say("intro"));
            (list_sessions, show_place) = (true, true);
            creche(&mut more);
            more.push(w.say("calendar-attached"));
            more.extend(confirm_address(lang, facts));
        }
        MessageKind::BookingWaitlisted => {
            intro.push(say("intro"));
            intro.push(say("next"));
            (list_sessions, show_place) = (true, true);
            more.extend(confirm_address(lang, facts));
        }
        MessageKind::BookingCancelled | MessageKind::BookingCancelledByCentre => {
            intro.push(w.say(if kind == MessageKind::BookingCancelled {
                "booking-cancelled-intro"
            } else {
                "booking-cancelled-by-centre-intro"
            }));
            intro.extend(reason);
            more.push(w.say("calendar-updated"));
            more.push(say("next"));
        }
        MessageKind::SessionMoved | MessageKind::TeamSessionMoved => {
            intro.push(say("intro"));
            if let Some(was) = facts.moved_from {
                let mut before = Wording::new(lang);
                before.times(was, facts.tz);
                intro.push(before.say("session-moved-was"));
            }
            intro.push(w.say("session-moved-now"));
            intro.extend(reason);
            show_place = true;
            more.push(w.say("calendar-updated"));
        }
        MessageKind::SessionCancelled | MessageKind::GroupCancelled => {
            intro.push(say("intro"));
            intro.extend(reason);
            more.push(w.say("calendar-updated"));
            if kind == MessageKind::GroupCancelled {
                more.push(say("next"));
            }
        }
        MessageKind::TeamSessionCancelled | MessageKind::TeamGroupCancelled => {
            intro.push(say("intro"));
            intro.extend(reason);
            more.push(w.say("calendar-updated"));
        }
        MessageKind::Reminder => {
            intro.push(say("intro"));
            show_place = true;
            creche(&mut more);
            more.push(say("cannot-come"));
            more.push(say("opt-out"));
        }
        // Written by `write_account` and `write_incident` (returned above).
        MessageKind::CrecheIncident
        | MessageKind::AccountConfirmEmail
        | MessageKind::AccountInvitation
        | MessageKind::AccountPasswordReset
        | MessageKind::AccountEmailChange
        | MessageKind::AccountEmailChanged
        | MessageKind::AccountPasswordChanged => {}
    }
    if kind.is_for_team() {
        more.push(w.say("team-families-told"));
    }
    let (subject, sms) = (say("subject"), say("sms"));

    let sessions: Vec<String> = if list_sessions {
        facts
            .sessions
            .iter()
            .map(|s| {
                let mut line = Wording::new(lang);
                line.times(*s, facts.tz);
                line.say(if s.cancelled {
                    "session-line-cancelled"
                } else {
                    "session-line"
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    let place = if show_place {
        let mut at = Wording::new(lang);
        at.set("venue", facts.venue_address.clone());
        at.say("where")
    } else {
        String::new()
    };
    // No link (a message to the team): the emails say nothing of one.
    let link = if facts.link.is_empty() {
        String::new()
    } else {
        let mut link_words = Wording::new(lang);
        link_words.set("link", facts.link.clone());
        link_words.say("see-bookings")
    };
    let page = context! {
        lang => lang.as_str(),
        subject => &subject,
        greeting => w.say("greeting"),
        intro => intro,
        sessions_heading => w.say("sessions-heading"),
        sessions => sessions,
        place => place,
        more => more,
        link => link,
        link_url => &facts.link,
        link_text => w.say("see-bookings-link"),
        sign_off => w.say("sign-off"),
    };
    Written {
        text: render("email.txt", &page),
        html: render("email.html", &page),
        subject,
        sms,
    }
}

/// Puts the message about an incident in the crèche in words in `lang`: what happened to the
/// child and when, the first aid given (or that none was), whom to talk to, and where to read
/// it and say it was seen. The text message names no one: only the group, the day and the link.
fn write_incident(lang: Language, facts: &Facts) -> Written {
    let lang = lang.for_messages();
    let mut w = Wording::new(lang);
    w.set("group", facts.group.clone());
    w.set("venue", facts.venue.clone());
    w.set("link", facts.link.clone());
    // Always given by the outbox; without it the message still reads, naming the session.
    let incident = facts.incident.clone().unwrap_or_else(|| IncidentFacts {
        child: String::new(),
        at: facts
            .session
            .or(facts.sessions.first().copied())
            .map(|s| s.starts)
            .unwrap_or_default(),
        what_happened: String::new(),
        first_aid: String::new(),
    });
    let at = incident.at.with_timezone(&facts.tz);
    w.set("child", incident.child.clone());
    w.set("date", day(lang, at));
    w.set("time", time(at));
    w.set("what", incident.what_happened.clone());
    w.set("first_aid", incident.first_aid.clone());
    let intro = vec![
        w.say("creche-incident-intro"),
        w.say("creche-incident-what"),
        w.say(if incident.first_aid.is_empty() {
            "creche-incident-no-first-aid"
        } else {
            "creche-incident-first-aid"
        }),
    ];
    let more = vec![w.say("creche-incident-ask")];
    let link = if facts.link.is_empty() {
        String::new()
    } else {
        w.say("creche-incident-see")
    };
    written_without_sessions(Plain {
        lang,
        subject: w.say("creche-incident-subject"),
        greeting: w.say("greeting"),
        intro,
        more,
        link,
        link_url: &facts.link,
        link_text: w.say("creche-incident-see-link"),
        sign_off: w.say("sign-off"),
        sms: w.say("creche-incident-sms"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use chrono_tz::Europe::London;

    fn at(h: u32, d: u32) -> DateTime<Utc> {
        London
            .with_ymd_and_hms(2027, 3, d, h, 0, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn facts() -> Facts {
        let s = |d| SessionTimes {
            starts: at(10, d),
            ends: at(12, d),
            cancelled: d == 9,
        };
        Facts {
            group: "Together Time <Tuesdays>".into(),
            venue: "Stockwell Children's Centre".into(),
            venue_address: "Stockwell Children's Centre, 1 High Street, SW9 8LF".into(),
            tz: London,
            sessions: vec![s(2), s(9), s(16)],
            session: None,
            moved_from: None,
            waitlist_position: None,
            creche_children: 2,
            reason: None,
            link: "https://groups.example.org/my-bookings".into(),
            confirm_link: None,
            incident: None,
        }
    }

    #[test]
    fn a_confirmation_lists_the_sessions_in_the_family_s_language_and_escapes_html() {
        let w = write(MessageKind::BookingConfirmed, Language::Pt, &facts());
        assert!(
            w.subject.contains("Together Time <Tuesdays>"),
            "{}",
            w.subject
        );
        assert!(
            w.text
                .contains("terça, 2 de março de 2027, das 10:00 às 12:00"),
            "{}",
            w.text
        );
        assert!(w.html.contains("<html lang=\"pt\">"));
        assert!(
            w.html.contains("Together Time &lt;Tuesdays&gt;") && !w.html.contains("<Tuesdays>")
        );
        assert!(
            w.sms.contains("https://groups.example.org/my-bookings"),
            "{}",
            w.sms
        );
        // The cancelled week reads as no session; the crèche places are counted.
        let en = write(MessageKind::BookingConfirmed, Language::En, &facts());
        assert!(
            en.text.contains("Tuesday 9 March 2027: no session"),
            "{}",
            en.text
        );
        assert!(en
            .text
            .contains("Crèche places are booked for your 2 children."));
    }

    #[test]
    fn a_text_message_names_no_one_and_a_reminder_says_when_and_where() {
        let mut f = facts();
        f.session = Some(f.sessions[2]);
        let w = write(MessageKind::Reminder, Language::En, &f);
        assert_eq!(
            w.subject,
            "Reminder: Together Time <Tuesdays> on Tuesday 16 March 2027 at 10:00"
        );
        assert!(w
            .text
            .contains("Where: Stockwell Children's Centre, 1 High Street, SW9 8LF"));
        assert!(w.text.contains("turn these reminders off"));
        assert!(
            w.sms.len() < 200 && w.sms.contains("Stockwell Children's Centre"),
            "{}",
            w.sms
        );
        for kind in MessageKind::ALL {
            let sms = write(*kind, Language::Pl, &f).sms;
            assert!(!sms.is_empty() && !sms.contains("Hello"), "{kind}: {sms}");
        }
    }

    #[test]
    fn the_team_hears_of_the_change_with_the_reason_and_no_family_link() {
        let mut f = facts();
        f.link = String::new();
        f.creche_children = 0;
        f.reason = Some("The hall is flooded".into());
        let w = write(MessageKind::TeamGroupCancelled, Language::En, &f);
        assert_eq!(w.subject, "Together Time <Tuesdays> is cancelled");
        assert!(
            w.text.contains("The centre's note: The hall is flooded"),
            "{}",
            w.text
        );
        assert!(
            w.text.contains("The families have been told."),
            "{}",
            w.text
        );
        assert!(
            !w.text.contains("See your bookings") && !w.html.contains("<a href"),
            "{}",
            w.html
        );
        f.session = Some(f.sessions[2]);
        f.moved_from = Some(f.sessions[1]);
        let moved = write(MessageKind::TeamSessionMoved, Language::En, &f);
        assert!(
            moved
                .text
                .contains("It was on Tuesday 9 March 2027 at 10:00.")
                && moved
                    .text
                    .contains("It is now on Tuesday 16 March 2027, 10:00 to 12:00."),
            "{}",
            moved.text
        );
        let cancelled = write(MessageKind::TeamSessionCancelled, Language::En, &f);
        assert_eq!(
            cancelled.subject,
            "Together Time <Tuesdays>: no session on Tuesday 16 March 2027"
        );
    }

    #[test]
    fn an_incident_says_what_happened_to_whom_and_when_and_the_text_names_no_one() {
        let mut f = facts();
        f.session = Some(f.sessions[0]);
        f.incident = Some(IncidentFacts {
            child: "Amara".into(),
            at: at(10, 2) + chrono::TimeDelta::minutes(40),
            what_happened: "Bumped her head on the <table>.".into(),
            first_aid: String::new(),
        });
        let en = write(MessageKind::CrecheIncident, Language::En, &f);
        assert_eq!(en.subject, "A note from the crèche about Amara");
        for words in [
            "Hello,",
            "happened to Amara in the crèche during Together Time <Tuesdays> on Tuesday 2 March 2027 at 10:40.",
            "What happened: Bumped her head on the <table>.",
            "No first aid was given.",
            "let us know there that you have seen it: https://groups.example.org/my-bookings",
            "With best wishes from the team at Stockwell Children's Centre",
        ] {
            assert!(en.text.contains(words), "{words:?} not in {}", en.text);
        }
        assert!(
            en.html.contains("the &lt;table&gt;.") && !en.html.contains("<table>"),
            "{}",
            en.html
        );
        assert!(
            !en.sms.contains("Amara") && en.sms.contains("my-bookings"),
            "{}",
            en.sms
        );
        // The first aid given, in the family's language; no id ever shows.
        f.incident.as_mut().unwrap().first_aid = "Compressa fria.".into();
        let pt = write(MessageKind::CrecheIncident, Language::Pt, &f);
        assert_eq!(pt.subject, "Uma nota da creche sobre Amara");
        assert!(
            pt.text.contains("(terça, 2 de março de 2027, às 10:40)")
                && pt
                    .text
                    .contains("Primeiros socorros prestados: Compressa fria."),
            "{}",
            pt.text
        );
        for lang in [Language::Es, Language::Pl, Language::So] {
            let w = write(MessageKind::CrecheIncident, lang, &f);
            assert!(
                w.text.contains("Amara") && !w.sms.contains("Amara"),
                "{lang}: {}",
                w.text
            );
            assert!(
                !w.text.contains("creche-incident") && !w.subject.is_empty(),
                "{lang}"
            );
        }
    }

    #[test]
    fn an_account_link_says_how_long_it_works_in_the_reader_s_language() {
        let facts = AccountFacts {
            link: "https://groups.example.org/account/reset-password?token=abc".into(),
            valid_for: Some(chrono::TimeDelta::hours(1)),
            email: String::new(),
        };
        let en = write_account(MessageKind::AccountPasswordReset, Language::En, &facts);
        assert_eq!(en.subject, "Choose a new password");
        assert!(en.text.contains("Choose a new password: https://groups.example.org/account/reset-password?token=abc"), "{}", en.text);
        assert!(
            en.text.contains("The link works once, for one hour."),
            "{}",
            en.text
        );
        assert!(en.text.contains("you can ignore this email"), "{}", en.text);
        // minijinja writes `/` as `&#x2f;` in the attribute: the same address to a mail reader.
        assert!(
            en.html.contains("<a href=\"https:&#x2f;&#x2f;groups.example.org&#x2f;account&#x2f;reset-password?token=abc\""),
            "{}",
            en.html
        );
        let invitation = AccountFacts {
            valid_for: Some(chrono::TimeDelta::days(14)),
            ..facts.clone()
        };
        let pl = write_account(MessageKind::AccountInvitation, Language::Pl, &invitation);
        assert!(pl.text.contains("przez 14 dni"), "{}", pl.text);
        let pt = write_account(MessageKind::AccountInvitation, Language::Pt, &invitation);
        assert!(
            pt.text.contains("durante 14 dias") && pt.html.contains("<html lang=\"pt\">"),
            "{}",
            pt.text
        );
        // A notice has no link and names the new address.
        let notice = AccountFacts {
            email: "new@example.org".into(),
            ..AccountFacts::default()
        };
        let es = write_account(MessageKind::AccountEmailChanged, Language::Es, &notice);
        assert!(
            es.text.contains("new@example.org") && !es.text.contains("token"),
            "{}",
            es.text
        );
    }
}
