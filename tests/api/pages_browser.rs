//! The public pages in real headless Chromium (issue 18): the programme lists the demo groups and
//! its filter narrows them; a group's page shows its dates, with the Easter gap and one local time
//! across a clock change; the embed resizes inside an iframe on another origin; axe-core finds no
//! WCAG 2.2 A/AA violation on any page in two languages; the print page prints to PDF, a page a
//! venue, with QR codes that decode to each group's page. SQLite only: the pages read the same
//! rows on both databases (`pages` checks them there).

use crate::browser::Browser;
use crate::helpers::{self, ok_json, Backend, TestApp};
use crate::pages::load_demo;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

fn demo(tune: impl FnOnce(&mut groupwork::Config)) -> Option<(TestApp, Vec<Value>)> {
    let app = helpers::spawn(Backend::Sqlite, tune)?;
    load_demo(&app);
    let items = ok_json(app.get("/api/v1/listings", None), 200)["items"]
        .as_array()
        .unwrap()
        .clone();
    Some((app, items))
}

fn texts(b: &Browser, css: &str) -> Vec<String> {
    let v = b.run(
        "return [...document.querySelectorAll(arguments[0])].map(e => e.innerText.trim());",
        json!([css]),
    );
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_programme_lists_and_filters_the_groups_and_a_group_shows_its_dates() {
    let Some(browser) = Browser::start(1024, 900) else {
        return;
    };
    let Some((app, items)) = demo(|_| {}) else {
        return;
    };
    browser.goto(&app.url("/programme"));
    let titles = texts(&browser, "article.group h3");
    let listed: Vec<String> = items
        .iter()
        .map(|i| i["title"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        titles, listed,
        "the programme shows the listing's groups, in its order"
    );

    // Choose a kind of group and submit the form, as a parent would.
    browser.run(
        "document.querySelector('#filter-programme').value = 'cosp';",
        json!([]),
    );
    browser.click("form.filters button[type=submit]");
    assert!(browser.wait_until(
        "return location.search.includes('programme=cosp');",
        Duration::from_secs(10)
    ));
    let narrowed = texts(&browser, "article.group h3");
    let cosp = items.iter().filter(|i| i["programme"] == "cosp").count();
    assert_eq!(narrowed.len(), cosp, "{narrowed:?}");
    assert!(
        narrowed.len() < titles.len()
            && narrowed.iter().all(|t| t.starts_with("Circle of Security"))
    );
    assert_eq!(
        browser.run(
            "return document.querySelector('#filter-programme').value;",
            json!([])
        ),
        "cosp",
        "the choice stays shown"
    );

    // The Easter group: the bank holiday week says there is no group; every group keeps its
    // local time across the clock change.
    let mut easter = false;
    for item in &items {
        let id = item["cohort_id"].as_i64().unwrap();
        browser.goto(&app.url(&format!("/programme/groups/{id}")));
        let lines = texts(&browser, "ol.dates li");
        let sessions: Vec<&String> = lines.iter().filter(|l| !l.contains("No group")).collect();
        let held = item["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["status"] != "cancelled")
            .count();
        assert_eq!(sessions.len(), held, "group {id}: {lines:?}");
        let time = format!(", {}–", item["start_time"].as_str().unwrap());
        assert!(
            sessions.iter().all(|l| l.contains(&time)),
            "group {id}, one local time: {lines:?}"
        );
        easter |= lines
            .iter()
            .any(|l| l.ends_with("No group this week: bank holiday"));
        let book = browser.run(
            "return document.querySelector('a.button')?.href ?? '';",
            json!([]),
        );
        if item["booking_open"] == true {
            assert!(
                book.as_str().unwrap().ends_with(&format!("group={id}")),
                "{book}"
            );
        }
    }
    assert!(easter, "a demo group shows its Easter gap");
}

/// Serves one HTML page (the centre's own website, on another origin) until dropped.
struct HostPage {
    origin: String,
    _thread: std::thread::JoinHandle<()>,
}

impl HostPage {
    fn start(listener: TcpListener, html: String) -> HostPage {
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut stream = stream;
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf);
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    html.len()
                );
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(html.as_bytes());
            }
        });
        HostPage {
            origin,
            _thread: thread,
        }
    }
}

#[test]
fn the_embed_resizes_inside_an_iframe_on_another_origin() {
    let Some(browser) = Browser::start(1024, 900) else {
        return;
    };
    let (with, without) = (
        TcpListener::bind("127.0.0.1:0").unwrap(),
        TcpListener::bind("127.0.0.1:0").unwrap(),
    );
    let origins: Vec<String> = [&with, &without]
        .iter()
        .map(|l| format!("http://{}", l.local_addr().unwrap()))
        .collect();
    let allowed = origins.clone();
    let Some((app, _)) = demo(move |c| c.embed_origins = allowed) else {
        return;
    };
    let app_origin = app.url("").trim_end_matches('/').to_string();
    // The snippet the README gives a centre, on the centre's own site (another origin).
    let page = |script: bool| {
        let script = if script {
            format!("<script src=\"{app_origin}/programme/embed.js\" async></script>")
        } else {
            String::new()
        };
        format!(
            "<!doctype html><html lang=\"en\"><head><title>Lambeth family hubs</title></head><body>\
             <main><h1>Groups near you</h1>\
             <iframe id=\"programme\" src=\"{app_origin}/programme?embed=1&lang=pt\" \
             title=\"Parent and baby groups\" style=\"width:100%;border:0\" height=\"300\"></iframe>\
             {script}</main></body></html>"
        )
    };
    let with = HostPage::start(with, page(true));
    let without = HostPage::start(without, page(false));
    assert_eq!((&with.origin, &without.origin), (&origins[0], &origins[1]));
    let height =
        "return Math.round(document.getElementById('programme').getBoundingClientRect().height);";
    let loaded = "return document.getElementById('programme').dataset.seen === '1';";

    // The control: without the script the frame keeps the height it was given.
    browser.goto(&format!("{}/", without.origin));
    browser.run(
        "document.getElementById('programme').addEventListener('load', e => e.target.dataset.seen = '1');",
        json!([]),
    );
    browser.wait_until(loaded, Duration::from_secs(10));
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(browser.run(height, json!([])), 300, "the control");

    // With it, the frame grows to the whole programme: no second scroll bar.
    browser.goto(&format!("{}/", with.origin));
    let grew = browser.wait_until(
        "return document.getElementById('programme').getBoundingClientRect().height > 1000;",
        Duration::from_secs(20),
    );
    assert!(
        grew,
        "the frame grew to its programme: {}",
        browser.run(height, json!([]))
    );
}

#[test]
fn no_page_has_an_accessibility_violation_in_two_languages() {
    let Some(browser) = Browser::start(1280, 1000) else {
        return;
    };
    let Some((app, items)) = demo(|_| {}) else {
        return;
    };
    let group = items[1]["cohort_id"].as_i64().unwrap();
    let mut failures = Vec::new();
    for lang in ["en", "pl"] {
        for path in [
            format!("/programme?lang={lang}"),
            format!("/programme?lang={lang}&programme=cosp&has_places=true"),
            format!("/programme/groups/{group}?lang={lang}"),
            format!("/programme?embed=1&lang={lang}"),
            format!("/programme/groups/{group}?embed=1&lang={lang}"),
            format!("/programme/print?lang={lang}"),
        ] {
            browser.goto(&app.url(&path));
            let v = browser.accessibility_violations();
            if !v.is_empty() {
                failures.push(format!("{path}: {v:?}"));
            }
        }
    }
    // The control: axe does find what is wrong on a page that has it.
    let host = TcpListener::bind("127.0.0.1:0").unwrap();
    let bad = HostPage::start(
        host,
        "<!doctype html><html><head><title>Bad</title></head><body><img src=\"x.png\">\
         <p style=\"color:#bbb\">Faint words</p></body></html>"
            .into(),
    );
    browser.goto(&format!("{}/", bad.origin));
    let found = browser.accessibility_violations();
    for rule in ["image-alt", "color-contrast", "html-has-lang"] {
        assert!(
            found.iter().any(|v| v.starts_with(rule)),
            "axe misses {rule}: {found:?}"
        );
    }
    // And on the smallest phone, at 320 px wide: no sideways scrolling (WCAG 1.4.10).
    let narrow = Browser::start(320, 640).expect("a second browser");
    for path in [
        "/programme",
        &format!("/programme/groups/{group}"),
        "/programme/print",
    ] {
        narrow.goto(&app.url(path));
        let wide = narrow.run(
            "return document.documentElement.scrollWidth > window.innerWidth + 1;",
            json!([]),
        );
        if wide != json!(false) {
            failures.push(format!("{path} scrolls sideways at 320 px"));
        }
        let v = narrow.accessibility_violations();
        if !v.is_empty() {
            failures.push(format!("{path} at 320 px: {v:?}"));
        }
    }
    // Text made twice as large (WCAG 1.4.4) on a small window: nothing cut off sideways.
    let zoomed = Browser::start(640, 800).expect("a third browser");
    for path in [
        "/programme",
        &format!("/programme/groups/{group}"),
        "/programme?embed=1",
    ] {
        zoomed.goto(&app.url(path));
        zoomed.run(
            "document.documentElement.style.fontSize = '200%';",
            json!([]),
        );
        let wide = zoomed.run(
            "return document.documentElement.scrollWidth > window.innerWidth + 1;",
            json!([]),
        );
        if wide != json!(false) {
            failures.push(format!("{path} scrolls sideways with text at 200%"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_print_page_prints_a_page_a_venue_with_qr_codes_to_each_group() {
    let Some(browser) = Browser::start(1024, 1400) else {
        return;
    };
    let Some((app, items)) = demo(|_| {}) else {
        return;
    };
    browser.goto(&app.url("/programme/print"));
    let pdf = browser.print_pdf();
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    let pages = regex::bytes::Regex::new(r"/Type\s*/Page[^s]")
        .unwrap()
        .find_iter(&pdf)
        .count();
    let venues: std::collections::BTreeSet<i64> = items
        .iter()
        .map(|i| i["venue"]["id"].as_i64().unwrap())
        .collect();
    assert!(
        pages >= venues.len(),
        "{pages} pages for {} venues",
        venues.len()
    );
    let sections = browser.run(
        "return document.querySelectorAll('section.venue').length;",
        json!([]),
    );
    assert_eq!(sections, venues.len());

    // Each QR code, as Chromium drew it, decodes to its group's page.
    let ids: Vec<i64> = browser
        .run("return [...document.querySelectorAll('article.print-group')].map(a => Number(a.getAttribute('aria-labelledby').split('-').pop()));", json!([]))
        .as_array().unwrap().iter().map(|v| v.as_i64().unwrap()).collect();
    assert_eq!(ids.len(), items.len());
    let base = app
        .state
        .config
        .public_url
        .trim_end_matches('/')
        .to_string();
    for id in &ids {
        let png = browser.screenshot(&format!(
            "article[aria-labelledby=\"print-group-{id}\"] .qr"
        ));
        let img = image::load_from_memory(&png).expect("a PNG").to_luma8();
        let mut prepared = rqrr::PreparedImage::prepare(img);
        let grids = prepared.detect_grids();
        assert_eq!(grids.len(), 1, "group {id}: one QR code");
        let (_, content) = grids[0].decode().expect("a readable QR code");
        assert_eq!(content, format!("{base}/programme/groups/{id}?lang=en"));
    }
}
