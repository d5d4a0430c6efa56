//! A real `groupwork serve` child process for the tests that need one (the two-process race in
//! `tests/api`, the fault tests in `tests/faults.rs`): on a free loopback port, waited for until
//! `/health` answers, and SIGKILLed (its log removed) when dropped, so a failing assertion does
//! not leave servers behind. Included by path from both test binaries.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct ServeChild {
    child: Child,
    pub base: String,
    log: PathBuf,
}

impl Drop for ServeChild {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

impl ServeChild {
    /// Starts `groupwork serve` on `database_url` with `jwt_secret`, warn-level logging, two
    /// workers and `env` on top, and waits (30 s at most) until `/health` answers. The log goes to
    /// `<temp>/<log_prefix>-<name>-<port>.log`. A port taken between probing and binding is
    /// retried on another.
    pub fn start(
        database_url: &str,
        jwt_secret: &str,
        env: &[(&str, &str)],
        log_prefix: &str,
        name: &str,
    ) -> ServeChild {
        for _ in 0..3 {
            // Port 0 finds a free port; the listener is dropped so the child can bind it.
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("free loopback port")
                .port();
            let log = std::env::temp_dir().join(format!("{log_prefix}-{name}-{port}.log"));
            let mut cmd = command(database_url, jwt_secret, env, port, &log);
            let mut server = ServeChild {
                child: cmd.spawn().expect("start groupwork serve"),
                base: format!("http://127.0.0.1:{port}"),
                log,
            };
            if server.ready() {
                return server;
            }
            if !server.log_text().contains("cannot listen") {
                panic!("server {name} did not start:\n{}", server.log_text());
            }
        }
        panic!("server {name}: no free port in three tries");
    }

    /// Whether `/health` answered 200 within 30 s; false as soon as the process has exited.
    fn ready(&mut self) -> bool {
        let client = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .expect("client");
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if self.child.try_wait().ok().flatten().is_some() {
                return false;
            }
            let health = client.get(format!("{}/health", self.base)).send();
            if health.is_ok_and(|r| r.status() == 200) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "{} did not answer /health within 30 s:\n{}",
            self.base,
            self.log_text()
        );
    }

    /// SIGKILL (what `Child::kill` sends on Unix): no shutdown hook, no flush, no goodbye.
    pub fn kill9(&mut self) {
        self.child.kill().expect("SIGKILL the server");
        self.child.wait().expect("reap the server");
    }

    /// SIGTERM, then waits (at most `within`) for the process to exit: its status, or `None` if
    /// it was still running (it is then SIGKILLed when dropped).
    #[allow(dead_code)]
    pub fn terminate(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        self.signal("TERM");
        self.terminate_wait(within)
    }

    /// Sends signal `name` (`TERM`, `INT`) and returns at once.
    pub fn signal(&mut self, name: &str) {
        let sent = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(sent.success(), "kill -{name} failed");
    }

    /// Waits (at most `within`) for the process to exit: its status, or `None`.
    pub fn terminate_wait(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("wait for the server") {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

/// `groupwork serve` on `port` with the settings of [`ServeChild::start`], writing to `log`.
fn command(
    database_url: &str,
    jwt_secret: &str,
    env: &[(&str, &str)],
    port: u16,
    log: &Path,
) -> Command {
    let out = File::create(log).expect("server log file");
    let err = out.try_clone().expect("server log file");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_groupwork"));
    // The developer's own GROUPWORK_* settings must not leak into the children.
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("GROUPWORK_")) {
        cmd.env_remove(key);
    }
    cmd.arg("serve")
        .env("GROUPWORK_DATABASE_URL", database_url)
        .env("GROUPWORK_BIND", format!("127.0.0.1:{port}"))
        .env("GROUPWORK_JWT_SECRET", jwt_secret)
        .env("GROUPWORK_LOG", "warn")
        .env("GROUPWORK_WORKERS", "2")
        // Every child shares one database, so one client address's sign-ins and registrations
        // add up across them: the tests that measure those limits set their own.
        .env("GROUPWORK_LOGIN_ATTEMPTS_PER_ADDRESS", "100000")
        .env("GROUPWORK_REGISTRATIONS_PER_ADDRESS", "100000")
        // Messages the child sends with no mail server set up land beside its log, never in
        // the working tree.
        .env(
            "GROUPWORK_MAIL_DIR",
            log.with_extension("mail").to_string_lossy().into_owned(),
        );
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.stdin(Stdio::null()).stdout(out).stderr(err);
    cmd
}
