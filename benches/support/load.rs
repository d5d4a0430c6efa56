//! A small HTTP/1.1 load generator over keep-alive `std::net::TcpStream`s, one thread per
//! connection (wrk is not on every machine, and a lean client matters when it shares the cores
//! with the server). Two phases, each bounded in time:
//! - saturation: every connection sends its next request as soon as the last is answered;
//! - constant rate: requests are scheduled at fixed intervals whatever the server does, and
//!   latency counts from the *scheduled* send time, so a stalled server is charged for the
//!   requests it delayed (no coordinated omission, as in wrk2).

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// What one phase measured. `latencies` are sorted.
pub struct Phase {
    pub requests: usize,
    pub errors: usize,
    pub seconds: f64,
    pub latencies: Vec<Duration>,
}

impl Phase {
    pub fn per_second(&self) -> f64 {
        self.requests as f64 / self.seconds.max(1e-9)
    }

    /// Nearest-rank percentile: a latency some request really had.
    pub fn pct(&self, p: f64) -> Duration {
        let s = &self.latencies;
        if s.is_empty() {
            return Duration::ZERO;
        }
        let r = ((p / 100.0) * s.len() as f64).ceil() as usize;
        s[r.clamp(1, s.len()) - 1]
    }
}

/// One keep-alive connection sending the same GET.
struct Conn {
    addr: String,
    stream: TcpStream,
    request: Vec<u8>,
    buf: Vec<u8>,
}

impl Conn {
    fn open(addr: &str, path: &str) -> io::Result<Conn> {
        let stream = TcpStream::connect(addr)?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(5)))?;
        let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: */*\r\n\r\n");
        Ok(Conn {
            addr: addr.to_string(),
            stream,
            request: request.into_bytes(),
            buf: Vec::with_capacity(128 * 1024),
        })
    }

    /// One request answered 200; a broken connection is counted and replaced.
    fn ok(&mut self) -> bool {
        match self.call() {
            Ok((status, _)) => status == 200,
            Err(_) => {
                if let Ok(mut fresh) = Conn::open(&self.addr, "/") {
                    fresh.request = std::mem::take(&mut self.request);
                    *self = fresh;
                }
                false
            }
        }
    }

    /// Sends the request and reads the whole answer; returns its status and body length.
    fn call(&mut self) -> io::Result<(u16, usize)> {
        self.stream.write_all(&self.request)?;
        self.buf.clear();
        let mut chunk = [0u8; 64 * 1024];
        loop {
            let n = self.stream.read(&mut chunk)?;
            if n == 0 {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "closed"));
            }
            self.buf.extend_from_slice(&chunk[..n]);
            if let Some((status, head, length)) = parse_head(&self.buf)? {
                while self.buf.len() < head + length {
                    let n = self.stream.read(&mut chunk)?;
                    if n == 0 {
                        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "cut short"));
                    }
                    self.buf.extend_from_slice(&chunk[..n]);
                }
                return Ok((status, length));
            }
        }
    }
}

/// Status, header length and Content-Length once the head is complete (actix answers a sized
/// body with Content-Length; anything else is an error here, not a guess).
fn parse_head(buf: &[u8]) -> io::Result<Option<(u16, usize, usize)>> {
    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Ok(None);
    };
    let head = std::str::from_utf8(&buf[..end]).map_err(io::Error::other)?;
    let bad = || io::Error::other(format!("unexpected answer: {head}"));
    let status = head
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .ok_or_else(bad)?;
    let length = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())?
        })
        .ok_or_else(bad)?;
    Ok(Some((status, end + 4, length)))
}

/// One answer's body length (to size the reference server's document).
pub fn body_length(addr: &str, path: &str) -> Result<usize, String> {
    let mut c = Conn::open(addr, path).map_err(|e| e.to_string())?;
    match c.call().map_err(|e| e.to_string())? {
        (200, n) => Ok(n),
        (s, _) => Err(format!("GET {path}: {s}")),
    }
}

/// `connections` closed loops for `warmup` (not counted) then `length`: requests/s at saturation.
pub fn saturate(
    addr: &str,
    path: &str,
    connections: usize,
    warmup: Duration,
    length: Duration,
) -> Phase {
    let begin = Instant::now() + warmup;
    let end = begin + length;
    let mut phase = run(connections, addr, path, |c, out| {
        while Instant::now() < end {
            let sent = Instant::now();
            let ok = c.ok();
            if sent >= begin {
                out.record(ok, sent.elapsed());
            }
        }
    });
    phase.seconds = length.as_secs_f64();
    phase
}

/// `rate` requests/s spread over `connections` for `length`, each timed from its scheduled send.
pub fn constant_rate(
    addr: &str,
    path: &str,
    connections: usize,
    rate: f64,
    length: Duration,
) -> Phase {
    let start = Instant::now() + Duration::from_millis(50);
    let total = (rate * length.as_secs_f64()) as usize;
    let step = Duration::from_secs_f64(1.0 / rate.max(1.0));
    // Past this the server is hopelessly behind: stop rather than run on unbounded.
    let hard_stop = start + length + Duration::from_secs(5);
    run(connections, addr, path, |c, out| {
        for slot in (out.index..total).step_by(connections) {
            let due = start + step * slot as u32;
            let now = Instant::now();
            if now > hard_stop {
                out.errors += 1;
                continue;
            }
            if due > now {
                std::thread::sleep(due - now);
            }
            let ok = c.ok();
            out.record(ok, due.elapsed());
        }
    })
}

struct Out {
    index: usize,
    requests: usize,
    errors: usize,
    latencies: Vec<Duration>,
}

impl Out {
    fn record(&mut self, ok: bool, took: Duration) {
        if ok {
            self.requests += 1;
            self.latencies.push(took);
        } else {
            self.errors += 1;
        }
    }
}

fn run(
    connections: usize,
    addr: &str,
    path: &str,
    work: impl Fn(&mut Conn, &mut Out) + Sync,
) -> Phase {
    let began = Instant::now();
    let outs: Vec<Out> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..connections)
            .map(|index| {
                let work = &work;
                s.spawn(move || {
                    let mut out = Out {
                        index,
                        requests: 0,
                        errors: 0,
                        latencies: Vec::new(),
                    };
                    match Conn::open(addr, path) {
                        Ok(mut c) => work(&mut c, &mut out),
                        Err(_) => out.errors += 1,
                    }
                    out
                })
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    let mut latencies: Vec<Duration> = outs
        .iter()
        .flat_map(|o| o.latencies.iter().copied())
        .collect();
    latencies.sort_unstable();
    Phase {
        requests: outs.iter().map(|o| o.requests).sum(),
        errors: outs.iter().map(|o| o.errors).sum(),
        seconds: began.elapsed().as_secs_f64(),
        latencies,
    }
}
