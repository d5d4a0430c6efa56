//! The delivery worker: takes due messages, keeps up to a batch of them being sent at once
//! through the providers (taking more as half of them finish), records their outcomes half a
//! batch to a transaction, and sleeps until a committed change queues more or the poll interval
//! passes.
//! It also queues the reminders that fall due. `groupwork serve` runs one per process;
//! `groupwork deliver --once` runs a pass and stops.

use super::providers::Providers;
use crate::service::messages::{claim_due, queue_due_reminders, record, Delivered, RetryPolicy};
use crate::service::{ServiceError, Services};
use chrono::TimeDelta;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;

/// How the worker paces itself.
#[derive(Debug, Clone, Copy)]
pub struct Pace {
    /// Messages taken at once.
    pub batch: i64,
    /// How long a taken message is the worker's: after that another may take it (a worker that
    /// died mid-send). Longer than any send can take.
    pub lease: TimeDelta,
    /// The longest sleep with nothing to do.
    pub poll: Duration,
    /// How often reminders are looked for.
    pub reminders_every: Duration,
    pub retry: RetryPolicy,
}

impl Default for Pace {
    fn default() -> Self {
        Pace {
            batch: 50,
            lease: TimeDelta::minutes(5),
            poll: Duration::from_secs(5),
            reminders_every: Duration::from_secs(60),
            retry: RetryPolicy::default(),
        }
    }
}

#[derive(Clone)]
pub struct Worker {
    pub services: Services,
    pub providers: Arc<Providers>,
    pub pace: Pace,
}

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    pub reminders_queued: usize,
    pub taken: usize,
    pub sent: usize,
}

impl Worker {
    /// Delivers until nothing is due now (or `max_takes` takes ran), keeping up to a batch of
    /// sends in flight: more are taken as soon as half of them are done, and outcomes are
    /// recorded half a batch at a time. Sending a batch at once and waiting for all of it left
    /// the connections idle behind the slowest send of every batch and during the two
    /// transactions between batches. Returns how many were taken and how many went.
    pub async fn deliver_due(&self, max_takes: usize) -> Result<(usize, usize), ServiceError> {
        let batch = self.pace.batch.max(1) as usize;
        let low = batch / 2;
        let mut sending = JoinSet::new();
        let mut done = Vec::with_capacity(batch);
        let (mut taken, mut sent, mut takes) = (0, 0, 0);
        let mut more = true;
        // After a failed transaction nothing more is taken, but the sends in flight finish and
        // are recorded (a send cut off mid-way might have gone and would go again).
        let mut failure = None;
        loop {
            if more && failure.is_none() && sending.len() <= low && takes < max_takes {
                let want = batch - sending.len();
                match claim_due(&self.services, self.pace.lease, want as i64).await {
                    Ok(due) => {
                        takes += 1;
                        taken += due.len();
                        more = due.len() == want;
                        for m in due {
                            self.start_send(&mut sending, m);
                        }
                    }
                    Err(e) => failure = Some(e),
                }
            }
            if sending.is_empty() && done.is_empty() {
                break;
            }
            if let Some(d) = sending.join_next().await {
                finished(d, &mut done);
            }
            if done.len() >= low.max(1) || sending.is_empty() {
                match self.record(std::mem::take(&mut done)).await {
                    Ok(n) => sent += n,
                    Err(e) => {
                        failure.get_or_insert(e);
                    }
                }
            }
        }
        match failure {
            Some(e) => Err(e),
            None => Ok((taken, sent)),
        }
    }

    fn start_send(&self, sending: &mut JoinSet<Delivered>, m: crate::store::messages::Message) {
        let providers = self.providers.clone();
        sending.spawn(async move {
            let provider = providers.for_channel(m.channel);
            let outcome = provider.send(&m).await;
            Delivered {
                id: m.id,
                attempts: m.attempts,
                provider: provider.name(),
                outcome,
            }
        });
    }

    /// Records outcomes in one transaction; returns how many were sent.
    async fn record(&self, outcomes: Vec<Delivered>) -> Result<usize, ServiceError> {
        if outcomes.is_empty() {
            return Ok(0);
        }
        let sent = outcomes
            .iter()
            .filter(|d| matches!(d.outcome, super::providers::Outcome::Sent { .. }))
            .count();
        for d in &outcomes {
            if let super::providers::Outcome::Retry(e) | super::providers::Outcome::Failed(e) =
                &d.outcome
            {
                tracing::warn!(message = d.id, attempts = d.attempts, error = %e, "message not sent");
            }
        }
        record(&self.services, self.pace.retry, outcomes).await?;
        Ok(sent)
    }

    /// Queues due reminders, then delivers until nothing is due now (or `max_batches` takes
    /// ran).
    pub async fn pass(&self, max_batches: usize) -> Result<Pass, ServiceError> {
        let reminders_queued = queue_due_reminders(&self.services).await?;
        let (taken, sent) = self.deliver_due(max_batches).await?;
        Ok(Pass {
            reminders_queued,
            taken,
            sent,
        })
    }

    /// Runs until the process ends: delivers what is due, then waits for a committed change to
    /// queue more (or the poll interval, for retries that came due), and looks for reminders.
    pub async fn run(self) {
        let (_never, stop) = tokio::sync::watch::channel(false);
        self.run_until(stop).await
    }

    /// Delivers until `stop` turns true, then returns once the batch in hand is sent and
    /// recorded (a send cut off midway would go out again when its lease runs out).
    pub async fn run_until(self, mut stop: tokio::sync::watch::Receiver<bool>) {
        let mut reminders_at = tokio::time::Instant::now();
        while !*stop.borrow() {
            if tokio::time::Instant::now() >= reminders_at {
                match queue_due_reminders(&self.services).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(families = n, "reminders queued"),
                    Err(e) => tracing::warn!(error = %e, "reminders not queued"),
                }
                reminders_at = tokio::time::Instant::now() + self.pace.reminders_every;
            }
            // Reminders are looked for again after this many takes at most.
            let busy = match self.deliver_due(100).await {
                Ok((taken, _)) => taken > 0,
                Err(e) => {
                    tracing::warn!(error = %e, "delivery pass failed");
                    false
                }
            };
            if !busy {
                let wait = self
                    .pace
                    .poll
                    .min(reminders_at.saturating_duration_since(tokio::time::Instant::now()));
                tokio::select! {
                    _ = tokio::time::sleep(wait.max(Duration::from_millis(10))) => {}
                    _ = self.services.signals.outbox.notified() => {}
                    _ = stop.changed() => {}
                }
            }
        }
    }
}

/// A finished send's outcome; a send that panicked is left to its lease, to be taken again.
fn finished(done: Result<Delivered, tokio::task::JoinError>, into: &mut Vec<Delivered>) {
    match done {
        Ok(d) => into.push(d),
        Err(e) => tracing::error!(error = %e, "a message send did not finish"),
    }
}

impl Worker {
    /// The worker the settings describe: SMTP for email if `GROUPWORK_SMTP_URL` is set, else
    /// Notify if its key is, else files in `GROUPWORK_MAIL_DIR`; Notify for texts if set up,
    /// else files.
    pub fn from_config(services: &Services, config: &crate::Config) -> Result<Worker, String> {
        use super::providers::{Folder, Provider};
        let folder = || {
            Provider::Folder(Folder {
                dir: std::path::PathBuf::from(&config.mail_dir),
                from: config.mail_from.clone(),
            })
        };
        let notify = || -> Result<Option<super::notify::Notify>, String> {
            config
                .notify_api_key
                .as_deref()
                .map(|key| {
                    super::notify::Notify::new(
                        key,
                        &config.notify_base_url,
                        &config.notify_templates,
                    )
                })
                .transpose()
        };
        let email = match (&config.smtp_url, notify()?) {
            (Some(url), _) => Provider::Smtp(super::smtp::Smtp::new(
                url,
                &config.mail_from,
                config.smtp_pool,
            )?),
            (None, Some(n)) => Provider::Notify(n),
            (None, None) => folder(),
        };
        let sms = match notify()? {
            Some(n) => Provider::Notify(n),
            None => folder(),
        };
        Ok(Worker {
            services: services.clone(),
            providers: Arc::new(Providers { email, sms }),
            pace: Pace {
                batch: config.delivery_batch,
                lease: TimeDelta::seconds(config.delivery_lease_secs),
                poll: Duration::from_millis(config.delivery_poll_ms),
                reminders_every: Duration::from_secs(60),
                retry: RetryPolicy {
                    base: TimeDelta::milliseconds(config.retry_base_ms),
                    cap: TimeDelta::seconds(config.retry_cap_secs),
                    max_attempts: config.delivery_attempts,
                },
            },
        })
    }

    /// Where each channel's messages go, in words (for the start-up line).
    pub fn describe(&self) -> String {
        let say = |p: &super::providers::Provider| match p {
            super::providers::Provider::Folder(f) => {
                format!("written to files in {}", f.dir.display())
            }
            other => format!("sent by {}", other.name()),
        };
        format!(
            "emails {}, texts {}",
            say(&self.providers.email),
            say(&self.providers.sms)
        )
    }
}
