//! The delivery worker: takes due messages in batches, sends a batch at once through the
//! providers (the SMTP pool keeps several connections busy), records the outcomes in one
//! transaction, and sleeps until a committed change queues more or the poll interval passes.
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
    /// Sends one batch of due messages; returns how many were taken and how many went.
    pub async fn deliver_batch(&self) -> Result<(usize, usize), ServiceError> {
        let due = claim_due(&self.services, self.pace.lease, self.pace.batch).await?;
        let taken = due.len();
        if taken == 0 {
            return Ok((0, 0));
        }
        let mut sending = JoinSet::new();
        for m in due {
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
        let mut outcomes = Vec::with_capacity(taken);
        while let Some(done) = sending.join_next().await {
            match done {
                Ok(d) => outcomes.push(d),
                // A send that panicked: its lease runs out and it is taken again.
                Err(e) => tracing::error!(error = %e, "a message send did not finish"),
            }
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
        Ok((taken, sent))
    }

    /// Queues due reminders, then delivers until nothing is due now (or `max_batches` ran).
    pub async fn pass(&self, max_batches: usize) -> Result<Pass, ServiceError> {
        let mut pass = Pass {
            reminders_queued: queue_due_reminders(&self.services).await?,
            ..Pass::default()
        };
        for _ in 0..max_batches {
            let (taken, sent) = self.deliver_batch().await?;
            pass.taken += taken;
            pass.sent += sent;
            if taken == 0 {
                break;
            }
        }
        Ok(pass)
    }

    /// Runs until the process ends: delivers what is due, then waits for a committed change to
    /// queue more (or the poll interval, for retries that came due), and looks for reminders.
    pub async fn run(self) {
        let mut reminders_at = tokio::time::Instant::now();
        loop {
            if tokio::time::Instant::now() >= reminders_at {
                match queue_due_reminders(&self.services).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(families = n, "reminders queued"),
                    Err(e) => tracing::warn!(error = %e, "reminders not queued"),
                }
                reminders_at = tokio::time::Instant::now() + self.pace.reminders_every;
            }
            let busy = match self.deliver_batch().await {
                Ok((taken, _)) => taken as i64 == self.pace.batch,
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
                let _ = tokio::time::timeout(
                    wait.max(Duration::from_millis(10)),
                    self.services.signals.outbox.notified(),
                )
                .await;
            }
        }
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
