//! What the public pages show of a listed group, in the page's language: the same figures as the
//! JSON listing (`listings::item`), with dates written the local way, the weeks without a group,
//! links that keep the page's language, and the schema.org description search engines read.

use crate::api::catalogue::listings::{item, ListingItem};
use crate::domain::message::Language;
use crate::domain::status::SessionStatus;
use crate::messages::words;
use crate::service::catalogue::listing::{GroupDate, Listed, NoGroup};
use crate::service::schedule::zone;
use crate::store::cohorts::Session;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use serde_json::json;

/// The query a page keeps in its links: its language, and the compact layout inside an iframe.
#[derive(Debug, Clone, Copy)]
pub struct Keep {
    pub lang: Language,
    pub embed: bool,
}

impl Keep {
    /// `path` with the page's language (and `embed=1` inside an iframe).
    pub fn href(&self, path: &str) -> String {
        let sep = if path.contains('?') { '&' } else { '?' };
        let embed = if self.embed { "&embed=1" } else { "" };
        format!("{path}{sep}lang={}{embed}", self.lang.as_str())
    }
}

/// A group as a card and as its own page.
#[derive(Debug, Serialize)]
pub struct GroupView {
    #[serde(flatten)]
    pub item: ListingItem,
    pub id: i32,
    /// Its own page, in the same language and layout.
    pub href: String,
    pub first_day: String,
    /// "10:00–12:00", the group's local time.
    pub time: String,
    /// Group sessions planned (cancelled ones not counted).
    pub sessions: usize,
    pub dates: Vec<DateLine>,
    pub book_href: String,
    pub ics_href: String,
    pub map_href: String,
}

/// One line of a group's dates.
#[derive(Debug, Serialize)]
pub struct DateLine {
    /// `session`, `cancelled` or `no-group`.
    pub kind: &'static str,
    pub day: String,
    pub time: String,
    /// The words for a line that is not a session.
    pub says: &'static str,
}

fn local(t: chrono::NaiveDateTime, tz: Tz) -> DateTime<Tz> {
    t.and_utc().with_timezone(&tz)
}

fn times(s: &Session, tz: Tz) -> String {
    format!(
        "{}–{}",
        words::time(local(s.starts_at, tz)),
        words::time(local(s.ends_at, tz))
    )
}

/// The centre's booking page for a group: `{id}` in the address replaced, or the id added as
/// `group`.
pub fn booking_href(booking_url: &str, id: i32) -> String {
    if booking_url.contains("{id}") {
        booking_url.replace("{id}", &id.to_string())
    } else {
        let sep = if booking_url.contains('?') { '&' } else { '?' };
        format!("{booking_url}{sep}group={id}")
    }
}

pub fn group(
    l: &Listed,
    dates: &[GroupDate],
    keep: Keep,
    booking_url: &str,
    now: DateTime<Utc>,
) -> GroupView {
    let tz = zone(&l.cohort);
    let held: Vec<&Session> = l.sessions.iter().filter(|s| !s.is_cancelled()).collect();
    let first = held.first().copied().or(l.sessions.first());
    let id = l.cohort.id;
    let lines = dates
        .iter()
        .map(|d| match d {
            GroupDate::Session(s) => DateLine {
                kind: if s.status == SessionStatus::Cancelled {
                    "cancelled"
                } else {
                    "session"
                },
                day: words::day(keep.lang, local(s.starts_at, tz)),
                time: times(s, tz),
                says: "page-session-cancelled",
            },
            GroupDate::NoGroup(day, why) => DateLine {
                kind: "no-group",
                day: words::day(
                    keep.lang,
                    day.and_hms_opt(12, 0, 0)
                        .unwrap_or_default()
                        .and_utc()
                        .with_timezone(&tz),
                ),
                time: String::new(),
                says: match why {
                    NoGroup::BankHoliday => "page-no-group-bank-holiday",
                    NoGroup::Closed => "page-no-group-closed",
                    NoGroup::Other => "page-no-group",
                },
            },
        })
        .collect();
    GroupView {
        item: item(l, now),
        id,
        href: keep.href(&format!("/programme/groups/{id}")),
        first_day: first.map_or_else(String::new, |s| {
            words::day(keep.lang, local(s.starts_at, tz))
        }),
        time: first.map_or_else(String::new, |s| times(s, tz)),
        sessions: held.len(),
        dates: lines,
        book_href: booking_href(booking_url, id),
        ics_href: format!("/programme.ics?group_id={id}"),
        map_href: format!(
            "https://www.openstreetmap.org/search?query={}",
            l.venue.postcode.replace(' ', "+")
        ),
    }
}

/// The schema.org description of a group for search engines: an `EventSeries` with one `Event`
/// per session, at the venue, free, booked at the centre's page. As text safe inside
/// `<script type="application/ld+json">` (no `<` to close it early).
pub fn json_ld(l: &Listed, g: &GroupView, page_url: &str) -> String {
    let tz = zone(&l.cohort);
    let place = json!({
        "@type": "Place",
        "name": l.venue.name,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": l.venue.address,
            "postalCode": l.venue.postcode,
            "addressCountry": "GB",
        },
    });
    let availability = if g.item.places_left > 0 {
        "https://schema.org/InStock"
    } else {
        "https://schema.org/SoldOut"
    };
    let offer = json!({
        "@type": "Offer", "price": "0", "priceCurrency": "GBP",
        "availability": availability, "url": g.book_href,
    });
    let events: Vec<_> = l
        .sessions
        .iter()
        .map(|s| {
            let status = if s.status == SessionStatus::Cancelled {
                "https://schema.org/EventCancelled"
            } else {
                "https://schema.org/EventScheduled"
            };
            json!({
                "@type": "Event",
                "name": l.cohort.title,
                "startDate": local(s.starts_at, tz).to_rfc3339(),
                "endDate": local(s.ends_at, tz).to_rfc3339(),
                "eventStatus": status,
                "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
                "location": place,
                "isAccessibleForFree": true,
            })
        })
        .collect();
    let series = json!({
        "@context": "https://schema.org",
        "@type": "EventSeries",
        "name": l.cohort.title,
        "description": if l.cohort.description.is_empty() { &l.programme.name } else { &l.cohort.description },
        "url": page_url,
        "location": place,
        "isAccessibleForFree": true,
        "offers": offer,
        "subEvent": events,
    });
    series
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// "Call …" with the number as a link, in the page's language: the words are escaped, the link
/// is ours. Without a number, the plain line.
pub fn call_html(lang: Language, phone: &str) -> String {
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    if phone.is_empty() {
        return escape(&words::say(lang, "page-call-centre", &words::Args::new()));
    }
    const MARK: &str = "\u{1}phone\u{1}";
    let mut args = words::Args::new();
    args.insert("phone".into(), MARK.into());
    let line = escape(&words::say(lang, "page-call", &args));
    let tel: String = phone
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect();
    line.replace(
        MARK,
        &format!("<a href=\"tel:{tel}\">{}</a>", escape(phone)),
    )
}

/// A QR code of `url` as inline SVG (hidden from screen readers: its wrapper says what it is).
pub fn qr_svg(url: &str) -> String {
    match qrcode::QrCode::new(url.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color>()
            .min_dimensions(132, 132)
            .quiet_zone(true)
            .build()
            // Inline in HTML: no XML prolog.
            .split_once("<svg ")
            .map(|(_, svg)| format!("<svg aria-hidden=\"true\" focusable=\"false\" {svg}"))
            .unwrap_or_default(),
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_booking_link_names_the_group() {
        assert_eq!(
            booking_href("https://c.example/book/{id}", 7),
            "https://c.example/book/7"
        );
        assert_eq!(
            booking_href("https://c.example/book", 7),
            "https://c.example/book?group=7"
        );
        assert_eq!(
            booking_href("https://c.example/b?x=1", 7),
            "https://c.example/b?x=1&group=7"
        );
    }

    #[test]
    fn the_call_line_links_the_number_and_escapes_the_words() {
        let en = call_html(Language::En, "020 7946 0000");
        assert_eq!(
            en,
            "Would you rather talk to someone? Call <a href=\"tel:02079460000\">020 7946 0000</a>."
        );
        assert!(call_html(Language::Pl, "020 7946 0000").contains("Zadzwoń pod numer <a href"));
        assert_eq!(
            call_html(Language::Es, ""),
            "¿Prefiere hablar con alguien? Llame a su centro infantil."
        );
        assert!(call_html(Language::En, "<b>").contains("&lt;b&gt;</a>"));
    }

    #[test]
    fn a_qr_code_is_an_svg_hidden_from_screen_readers() {
        let svg = qr_svg("http://127.0.0.1:8080/programme/groups/1");
        assert!(svg.starts_with("<svg aria-hidden=\"true\""), "{svg}");
        assert!(svg.ends_with("</svg>"), "{svg}");
    }
}
