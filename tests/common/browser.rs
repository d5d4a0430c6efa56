//! Real headless Chromium for the page tests, driven over the W3C WebDriver protocol by Debian's
//! `chromedriver` (plain HTTP and JSON, so reqwest is the whole client), with axe-core injected
//! from `tests/support/browser/node_modules` (`npm ci` there). Outside CI a missing browser or
//! axe-core says so and the test does not run; with CI=true it fails (`.ci/run` installs them).

use reqwest::blocking::Client;
use serde_json::{json, Value};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Where axe-core's browser build is, after `npm ci` in `tests/support/browser`.
fn axe_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/support/browser/node_modules/axe-core/axe.min.js")
}

fn unavailable(why: &str) -> Option<Browser> {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("the browser tests could not run (CI=true): {why}");
    }
    eprintln!("\n!!! BROWSER NOT TESTED: {why}\n");
    None
}

/// One chromedriver with one Chromium session; both go when it is dropped.
pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    http: Client,
    axe: String,
}

impl Browser {
    /// A headless Chromium at `width`×`height` CSS pixels, or `None` (said why) outside CI when
    /// the browser or axe-core is not installed.
    pub fn start(width: u32, height: u32) -> Option<Browser> {
        for need in [CHROMIUM, CHROMEDRIVER] {
            if !std::path::Path::new(need).exists() {
                return unavailable(&format!(
                    "{need} is not installed (apt-get install chromium chromium-driver)"
                ));
            }
        }
        let Ok(axe) = std::fs::read_to_string(axe_path()) else {
            return unavailable("axe-core is not installed (npm ci in tests/support/browser)");
        };
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let http = Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while http.get(format!("{base}/status")).send().is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = std::env::temp_dir().join(format!("groupwork-chromium-{port}"));
        // As the machine notes say: no background networking (the closed network refuses it).
        let args = [
            "--headless=new".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-dev-shm-usage".into(),
            format!("--user-data-dir={}", profile.display()),
            format!("--window-size={width},{height}"),
        ];
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args},
        }}});
        let res: Value = http
            .post(format!("{base}/session"))
            .json(&caps)
            .send()
            .and_then(|r| r.json())
            .expect("a WebDriver session");
        let session = res["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {res}"))
            .to_string();
        Some(Browser {
            driver,
            base,
            session,
            http,
            axe,
        })
    }

    fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let mut req = self.http.request(method, url);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res: Value = req
            .send()
            .and_then(|r| r.json())
            .expect("WebDriver answers");
        if let Some(err) = res["value"].get("error") {
            panic!("WebDriver {path}: {err} {}", res["value"]["message"]);
        }
        res["value"].clone()
    }

    pub fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({"url": url})));
    }

    /// Runs `script` (a function body; `arguments` are `args`) in the page; a promise is awaited.
    pub fn run(&self, script: &str, args: Value) -> Value {
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
    }

    /// The element matching `css`, as a WebDriver reference to pass back.
    pub fn find(&self, css: &str) -> Value {
        let v = self.call(
            reqwest::Method::POST,
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        );
        v.as_object()
            .and_then(|o| o.values().next())
            .cloned()
            .unwrap_or_else(|| panic!("no element {css}"))
    }

    pub fn click(&self, css: &str) {
        let id = self.find(css);
        let id = id.as_str().unwrap();
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/click"),
            Some(json!({})),
        );
    }

    /// A PNG of the element matching `css`, as the browser drew it.
    pub fn screenshot(&self, css: &str) -> Vec<u8> {
        let id = self.find(css);
        let id = id.as_str().unwrap();
        let b64 = self.call(
            reqwest::Method::GET,
            &format!("/element/{id}/screenshot"),
            None,
        );
        decode_base64(b64.as_str().unwrap())
    }

    /// The page printed to PDF (A4), as Chromium prints it.
    pub fn print_pdf(&self) -> Vec<u8> {
        let body = json!({"background": true, "page": {"width": 21.0, "height": 29.7}});
        let b64 = self.call(reqwest::Method::POST, "/print", Some(body));
        decode_base64(b64.as_str().unwrap())
    }

    /// Waits until `script` returns true (polling for at most `within`).
    pub fn wait_until(&self, script: &str, within: Duration) -> bool {
        let started = Instant::now();
        while started.elapsed() < within {
            if self.run(script, json!([])) == json!(true) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    }

    /// axe-core's violations of WCAG 2.0, 2.1 and 2.2 A and AA on the page as it is now, each
    /// as "rule: target …".
    pub fn accessibility_violations(&self) -> Vec<String> {
        self.run(&self.axe, json!([]));
        let results = self.run(
            "return axe.run(document, {runOnly: {type: 'tag', values: \
             ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa']}, \
             resultTypes: ['violations']}).then(r => r.violations.map(v => v.id + ': ' + \
             v.nodes.map(n => n.target.join(' ')).join(', ')));",
            json!([]),
        );
        results
            .as_array()
            .expect("axe ran")
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .collect()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self
            .http
            .delete(format!("{}/session/{}", self.base, self.session))
            .send();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Standard base64 (WebDriver's screenshots and PDFs), without a crate for it.
fn decode_base64(s: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for v in s.bytes().filter_map(value) {
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}
