//! A local SMTP server that accepts and discards every message: aiosmtpd's `Sink` handler
//! (`python3 -m aiosmtpd`), as a child process on a loopback port, killed on drop. Both
//! groupwork's delivery and the bare lettre blast send to the same one in the same run.

use std::io::Read;
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct SmtpSink {
    pub addr: String,
    child: Child,
    log: PathBuf,
}

/// Why there is no server: not there at all (python3 or aiosmtpd missing: not measured), or
/// there but broken.
pub enum SinkError {
    Unavailable(String),
    Failed(String),
}

impl SmtpSink {
    /// `smtp://ADDR`: plain SMTP on loopback (lettre reads no `tls` as none).
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    pub fn start() -> Result<SmtpSink, SinkError> {
        let addr = super::child::free_addr().map_err(SinkError::Failed)?;
        // Its output goes to a file, read back only to say why it stopped.
        let log = std::env::temp_dir().join(format!("gw-bench-smtp-{}.log", std::process::id()));
        let out = std::fs::File::create(&log)
            .map_err(|e| SinkError::Failed(format!("cannot create {}: {e}", log.display())))?;
        let err = out
            .try_clone()
            .map_err(|e| SinkError::Failed(e.to_string()))?;
        let child = Command::new("python3")
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &addr,
                "-c",
                "aiosmtpd.handlers.Sink",
            ])
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(|e| SinkError::Unavailable(format!("cannot run python3: {e}")))?;
        let mut sink = SmtpSink { addr, child, log };
        let until = Instant::now() + Duration::from_secs(15);
        while Instant::now() < until {
            if let Ok(Some(status)) = sink.child.try_wait() {
                let said = std::fs::read_to_string(&sink.log).unwrap_or_default();
                let last = said.lines().last().unwrap_or("").trim().to_string();
                let why = format!("python3 -m aiosmtpd exited ({status}): {last}");
                return Err(if said.contains("No module named") {
                    SinkError::Unavailable(format!(
                        "{why}; `python3 -m pip install aiosmtpd` to measure"
                    ))
                } else {
                    SinkError::Failed(why)
                });
            }
            if greets(&sink.addr) {
                return Ok(sink);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(SinkError::Failed(format!(
            "aiosmtpd did not greet on {} within 15 s",
            sink.addr
        )))
    }
}

/// The server answers a connection with its 220 greeting.
fn greets(addr: &str) -> bool {
    let Ok(mut s) = TcpStream::connect(addr) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    let mut buf = [0u8; 3];
    s.read_exact(&mut buf).is_ok() && &buf == b"220"
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}
