//! A real SMTP server for the tests: `tests/support/smtp_server.py` (aiosmtpd) as a child process
//! on a free loopback port, keeping every message it accepts in a Maildir of its own, read back
//! here with `mail-parser` (not lettre, which wrote them). Recipients whose local part starts
//! with `reject` get a 550 at RCPT, those starting with `tempfail` a 451.
//!
//! Without python3 or aiosmtpd the tests that need it say loudly that they did not run; with
//! CI=true they fail instead (`.ci/run` installs aiosmtpd). Included by path from `tests/api`
//! and `tests/faults.rs`.

use mail_parser::{MessageParser, MimeHeaders};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub struct SmtpServer {
    /// The server and the pipe to its stdin: it exits when the pipe closes, so a test process
    /// that aborts (no Drop runs) leaves no server behind.
    child: Option<(Child, ChildStdin)>,
    port: u16,
    /// How long the server takes over each message (0: no delay).
    delay_ms: u64,
    /// Holds the Maildir and the server's log; removed on drop.
    dir: PathBuf,
}

/// One message as the server stored it.
#[derive(Debug, Clone)]
pub struct Mail {
    /// The `To` addresses.
    pub to: Vec<String>,
    /// The sender's display name (`From: Name <address>`), "" when it has none.
    #[allow(dead_code)] // read by tests/faults only
    pub from_name: String,
    pub subject: String,
    /// Without the angle brackets.
    pub message_id: String,
    /// The text/plain part ("" when there is none).
    pub text: String,
    /// The text/html part ("" when there is none).
    pub html: String,
    pub attachments: Vec<Attached>,
}

#[derive(Debug, Clone)]
pub struct Attached {
    /// `type/subtype`, lower case, without parameters (e.g. `text/calendar`).
    pub content_type: String,
    /// The content type's `method` parameter, for calendars.
    pub method: Option<String>,
    pub name: Option<String>,
    pub bytes: Vec<u8>,
}

impl Mail {
    /// The one attachment of `content_type`.
    pub fn attachment(&self, content_type: &str) -> &Attached {
        let found: Vec<&Attached> = self
            .attachments
            .iter()
            .filter(|a| a.content_type == content_type)
            .collect();
        assert_eq!(
            found.len(),
            1,
            "one {content_type} attachment in {:?}: {:?}",
            self.subject,
            self.attachments
                .iter()
                .map(|a| &a.content_type)
                .collect::<Vec<_>>()
        );
        found[0]
    }
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_server.py")
}

/// Why the server cannot run here, if it cannot (checked once per test process).
fn missing() -> Option<&'static str> {
    static WHY: OnceLock<Option<String>> = OnceLock::new();
    WHY.get_or_init(|| {
        match Command::new("python3")
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
        {
            Err(e) => Some(format!("python3 cannot be run: {e}")),
            Ok(s) if !s.success() => Some(
                "python3 has no aiosmtpd (python3 -m pip install aiosmtpd; .ci/run does it)".into(),
            ),
            Ok(_) => None,
        }
    })
    .as_deref()
}

impl SmtpServer {
    /// Starts a server on a free port with an empty Maildir. `None` only when python3 or
    /// aiosmtpd is missing outside CI (after saying so).
    pub fn start() -> Option<SmtpServer> {
        SmtpServer::start_slow(Duration::ZERO)
    }

    /// [`SmtpServer::start`] with a server that takes `delay` over each message before it
    /// stores and accepts it, so a sender can be stopped mid-way through a batch.
    pub fn start_slow(delay: Duration) -> Option<SmtpServer> {
        if let Some(why) = missing() {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("the SMTP tests could not run (CI=true): {why}");
            }
            eprintln!("\n!!! SMTP NOT TESTED: {why}\n");
            return None;
        }
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "gw_smtp_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("SMTP server dir");
        let mut server = SmtpServer {
            child: None,
            port: 0,
            delay_ms: delay.as_millis() as u64,
            dir,
        };
        // A port taken between probing and binding is tried again on another.
        for _ in 0..3 {
            server.port = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("free loopback port")
                .port();
            if server.launch().is_ok() {
                return Some(server);
            }
        }
        panic!("the SMTP server did not start:\n{}", server.log());
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    fn maildir(&self) -> PathBuf {
        self.dir.join("maildir")
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }

    /// Spawns the server on `self.port` and waits for its "ready" line.
    fn launch(&mut self) -> Result<(), ()> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("server.log"))
            .expect("SMTP server log");
        let mut child = Command::new("python3")
            .arg(script())
            .arg(self.port.to_string())
            .arg(self.maildir())
            .args(["--delay-ms", &self.delay_ms.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("start python3 tests/support/smtp_server.py");
        let stdin = child.stdin.take().expect("server stdin");
        let stdout = child.stdout.take().expect("server stdout");
        let (said, heard) = mpsc::channel();
        // Reads the ready line, then keeps the pipe drained until the server ends.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = said.send(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match heard.recv_timeout(left) {
                Ok(line) if line.starts_with("ready") => {
                    self.child = Some((child, stdin));
                    return Ok(());
                }
                Ok(_) => {}
                // Exited (the line's sender is gone) or too slow.
                Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(());
                }
            }
        }
    }

    /// Kills the server (SIGKILL: connections drop as in a crash). Its Maildir stays.
    pub fn stop(&mut self) {
        if let Some((mut child, _stdin)) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port and Maildir (the app's SMTP URL stays right).
    pub fn restart(&mut self) {
        self.stop();
        // The port was just freed; give a slow release a few tries.
        for _ in 0..5 {
            if self.launch().is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!(
            "the SMTP server did not start again on port {}:\n{}",
            self.port,
            self.log()
        );
    }

    /// The files of the Maildir's `new/` and `cur/` (one per message stored).
    fn files(&self) -> Vec<PathBuf> {
        ["new", "cur"]
            .iter()
            .filter_map(|sub| std::fs::read_dir(self.maildir().join(sub)).ok())
            .flatten()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect()
    }

    /// How many messages the server has stored, without reading them.
    #[allow(dead_code)] // used by tests/faults only
    pub fn count(&self) -> usize {
        self.files().len()
    }

    /// Every message in the Maildir (`new/` and `cur/`), in the order the server stored them.
    pub fn messages(&self) -> Vec<Mail> {
        let mut files = self.files();
        // Maildir names start with the time of delivery.
        files.sort();
        files.iter().map(|f| parse(f)).collect()
    }

    /// The messages once there are at least `n` (or `within` has passed: the caller's count
    /// check then says what is missing).
    pub fn wait_for(&self, n: usize, within: Duration) -> Vec<Mail> {
        let deadline = Instant::now() + within;
        loop {
            let got = self.messages();
            if got.len() >= n || Instant::now() >= deadline {
                return got;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn parse(file: &Path) -> Mail {
    let raw = std::fs::read(file).expect("read a stored message");
    let m = MessageParser::default()
        .parse(&raw)
        .unwrap_or_else(|| panic!("{} is not a message", file.display()));
    let attachments = m
        .attachments()
        .map(|part| {
            let ct = part.content_type();
            Attached {
                content_type: ct
                    .map(|c| format!("{}/{}", c.ctype(), c.subtype().unwrap_or_default()))
                    .unwrap_or_default()
                    .to_ascii_lowercase(),
                method: ct.and_then(|c| c.attribute("method")).map(str::to_string),
                name: part.attachment_name().map(str::to_string),
                bytes: part.contents().to_vec(),
            }
        })
        .collect();
    Mail {
        from_name: m
            .from()
            .and_then(|a| a.first())
            .and_then(|a| a.name())
            .unwrap_or_default()
            .to_string(),
        to: m
            .to()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.address().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        subject: m.subject().unwrap_or_default().to_string(),
        message_id: m.message_id().unwrap_or_default().to_string(),
        text: body(&m, "plain"),
        html: body(&m, "html"),
        attachments,
    }
}

/// The first `text/<subtype>` part that is not an attachment, as sent (mail-parser's own
/// `body_text`/`body_html` would make one up from the other when it is missing).
fn body(m: &mail_parser::Message, subtype: &str) -> String {
    m.parts
        .iter()
        .enumerate()
        .filter(|(i, _)| !m.attachments.contains(&(*i as u32)))
        .find(|(_, p)| p.is_content_type("text", subtype))
        .and_then(|(_, p)| p.text_contents())
        .unwrap_or_default()
        .to_string()
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
