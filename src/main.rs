//! The `groupwork` command line: serve, migrate, openapi, create-admin, retention, deliver,
//! import-geography, backup, restore.

use clap::{Parser, Subcommand};
use groupwork::auth::password;
use groupwork::domain::role::Role;
use groupwork::logging::LogFormat;
use groupwork::messages::worker::Worker;
use groupwork::{
    api, build_state, db, demo, retention, run_server, service, shutdown, Config, SystemClock,
};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "groupwork",
    version,
    about = "REST API for children's centres' parent–infant group programmes"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP service (migrations run first).
    Serve {
        /// Load the demo data and print its logins, once per database; a database holding
        /// families, cohorts, venues or staff of its own is refused (and not served).
        #[arg(long)]
        demo: bool,
        #[command(flatten)]
        config: Config,
    },
    /// Run pending database migrations and exit.
    Migrate {
        #[command(flatten)]
        config: Config,
    },
    /// Print the OpenAPI document (JSON).
    Openapi,
    /// Create an admin account; the password comes from GROUPWORK_ADMIN_PASSWORD or a prompt.
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Administrator")]
        name: String,
        #[command(flatten)]
        config: Config,
    },
    /// Deliver queued messages and queue due reminders (as `serve` does unless
    /// GROUPWORK_DELIVERY=false): for a separate delivery process, or from cron with --once.
    Deliver {
        /// Queue due reminders, send everything due now, and stop.
        #[arg(long)]
        once: bool,
        #[command(flatten)]
        config: Config,
    },
    /// Load the public geography the centre serves (Open Government Licence; README, "The
    /// geography"): postcodes with their ward and LSOA from the ONS Postcode Directory, the
    /// ward names, the IMD deciles from the English Indices of Deprivation's LSOA file, and
    /// optionally the under-five population by ward. It replaces the loaded edition in one
    /// transaction and places every family and venue again by its postcode. `--population`
    /// alone loads only the population into the loaded wards.
    ImportGeography {
        /// The ONS Postcode Directory (or NSPL) CSV, read as a stream.
        #[arg(long, value_name = "ONSPD.csv")]
        postcodes: Option<std::path::PathBuf>,
        /// The ward names and codes lookup (columns WDnnCD, WDnnNM).
        #[arg(long, value_name = "WARDNAMES.csv")]
        ward_names: Option<std::path::PathBuf>,
        /// The English Indices of Deprivation's LSOA file (File 1): its LSOA census says the
        /// edition (2021 LSOAs: IMD 2025; 2011 LSOAs: IMD 2019).
        #[arg(long, value_name = "IOD.csv")]
        imd: Option<std::path::PathBuf>,
        /// A local authority served, by its code (E09000022 for Lambeth); repeat for several.
        #[arg(long = "local-authority", value_name = "CODE")]
        local_authorities: Vec<String>,
        /// The boundary set of the wards, as ward keys name it (lambeth-2022).
        #[arg(long, value_name = "SET")]
        ward_set: Option<String>,
        /// Under-five population by ward (a ward code column and under_fives, or ages 0 to 4).
        #[arg(long, value_name = "POP.csv")]
        population: Option<std::path::PathBuf>,
        #[command(flatten)]
        config: Config,
    },
    /// Copy the SQLite database to PATH while the service runs (SQLite's online backup API: one
    /// consistent snapshot), check the copy with `PRAGMA integrity_check`, and say what was
    /// written. The copy is made beside PATH and named only when complete. For PostgreSQL use
    /// pg_dump (README, "Backups").
    Backup {
        /// The backup file to write.
        #[arg(value_name = "PATH")]
        path: std::path::PathBuf,
        /// Replace PATH if it exists.
        #[arg(long)]
        force: bool,
        /// Pages copied per step (the progress moves once a step).
        #[arg(long, value_name = "N", default_value_t = db::backup::DEFAULT_PAGES_PER_STEP,
              value_parser = clap::value_parser!(u32).range(1..))]
        pages_per_step: u32,
        #[command(flatten)]
        config: Config,
    },
    /// Replace the SQLite database with a backup, checked first (it opens, its integrity check
    /// is ok, it is groupwork's). Refused while the database is in use: stop `serve` and
    /// `deliver` first. Migrations newer than the backup run at the next start.
    Restore {
        /// The backup file to restore from.
        #[arg(value_name = "PATH")]
        path: std::path::PathBuf,
        /// Pages copied per step (the progress moves once a step).
        #[arg(long, value_name = "N", default_value_t = db::backup::DEFAULT_PAGES_PER_STEP,
              value_parser = clap::value_parser!(u32).range(1..))]
        pages_per_step: u32,
        #[command(flatten)]
        config: Config,
    },
    /// Anonymise families past their retention period and delete expired tokens, keys,
    /// notifications and audit events (also run daily by `serve`).
    Retention {
        /// Print what would be done, change nothing.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        config: Config,
    },
}

fn main() -> ExitCode {
    // A bad setting (flag or variable) is one line of ours, like every other failure; clap
    // reports the rest (an unknown flag, `--help`, …) itself.
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => match groupwork::config::bad_setting(&e) {
            Some(message) => {
                eprintln!("groupwork: {message}");
                return ExitCode::FAILURE;
            }
            None => e.exit(),
        },
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("groupwork: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    let config = match &cli.command {
        Command::Openapi => {
            let spec = api::openapi().to_pretty_json().map_err(|e| e.to_string())?;
            println!("{spec}");
            return Ok(());
        }
        Command::Serve { config, .. }
        | Command::Migrate { config }
        | Command::CreateAdmin { config, .. }
        | Command::Retention { config, .. }
        | Command::Deliver { config, .. }
        | Command::ImportGeography { config, .. }
        | Command::Backup { config, .. }
        | Command::Restore { config, .. } => config.clone(),
    };
    groupwork::logging::init(&config.log, config.log_format)?;
    // Every command on a SQLite database says it is using it for as long as it runs (restore
    // takes the same lock exclusively, itself).
    let _in_use = match &cli.command {
        Command::Restore { .. } | Command::Openapi => None,
        _ => using_database(&config)?,
    };
    match cli.command {
        Command::Serve { demo, .. } => serve(config, demo),
        Command::Migrate { .. } => {
            let manager = db::DbManager::new(&config.database_url)?;
            let mut conn = manager.open().map_err(|e| e.0)?;
            db::run_migrations(&mut conn)?;
            println!("migrations are up to date ({})", manager.kind().as_str());
            Ok(())
        }
        Command::CreateAdmin { email, name, .. } => create_admin(config, &email, &name),
        Command::Retention { dry_run, .. } => {
            let (pool, kind) = db::connect(
                &config.database_url,
                2,
                std::time::Duration::from_secs(config.db_timeout_secs),
            )?;
            let services = groupwork::service::Services::new(pool, kind, Arc::new(SystemClock));
            let report = retention::run(&services, &config, dry_run)?;
            println!("{report}");
            Ok(())
        }
        Command::Deliver { once, .. } => deliver(config, once),
        Command::ImportGeography {
            postcodes,
            ward_names,
            imd,
            local_authorities,
            ward_set,
            population,
            ..
        } => import_geography(
            config,
            GeographyFiles {
                postcodes,
                ward_names,
                imd,
                local_authorities,
                ward_set,
                population,
            },
        ),
        Command::Backup {
            path,
            force,
            pages_per_step,
            ..
        } => backup(&config, &path, force, pages_per_step),
        Command::Restore {
            path,
            pages_per_step,
            ..
        } => restore(&config, &path, pages_per_step),
        Command::Openapi => Ok(()),
    }
}

/// A start-up line: plain on a terminal, a log line among the others when they are JSON.
fn announce(format: LogFormat, line: &str) {
    match format {
        LogFormat::Text => println!("{line}"),
        LogFormat::Json => tracing::info!("{line}"),
    }
}

/// Holds `<database>.lock` shared (`db::lock`) so that `groupwork restore` refuses while this
/// process runs; refuses to start during a restore. Nothing for PostgreSQL. A lock file that
/// cannot be used at all (a read-only folder) is a warning, not a reason to stop serving.
fn using_database(config: &Config) -> Result<Option<db::lock::DbLock>, String> {
    use db::lock::{DbLock, LockError};
    let Some(path) = db::lock::sqlite_path(&config.database_url) else {
        return Ok(None);
    };
    match DbLock::shared(path) {
        Ok(lock) => Ok(Some(lock)),
        Err(LockError::Held { lock }) => Err(format!(
            "the database {} is being restored (groupwork restore holds {}); start again when \
             it has finished",
            path.display(),
            lock.display()
        )),
        Err(e) => {
            tracing::warn!(error = %e, "groupwork restore will not see that this process uses the database");
            Ok(None)
        }
    }
}

/// The SQLite file behind the configured URL, or why `command` does not apply.
fn sqlite_file<'a>(config: &'a Config, command: &str) -> Result<&'a std::path::Path, String> {
    db::lock::sqlite_path(&config.database_url).ok_or_else(|| {
        format!(
            "groupwork {command} is for SQLite; this database is PostgreSQL: use pg_dump -Fc \
             and pg_restore, or a base backup with WAL archiving for point-in-time recovery \
             (README, \"Backups\")"
        )
    })
}

/// A bar of pages copied, drawn only when stderr is a terminal (as `import-geography` does).
fn pages_bar(what: &str) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(0);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} pages ({eta})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_string());
    bar
}

fn show(bar: &indicatif::ProgressBar) -> impl FnMut(db::backup::Progress) + '_ {
    move |p| {
        bar.set_length(p.total);
        bar.set_position(p.copied);
    }
}

/// `1234567 bytes (1.2 MiB)`.
fn size(bytes: u64) -> String {
    format!(
        "{bytes} bytes ({:.1} MiB)",
        bytes as f64 / (1024.0 * 1024.0)
    )
}

/// `groupwork backup PATH`.
fn backup(
    config: &Config,
    path: &std::path::Path,
    force: bool,
    pages_per_step: u32,
) -> Result<(), String> {
    let source = sqlite_file(config, "backup")?;
    let bar = pages_bar("backup");
    let written = db::backup::backup(source, path, force, pages_per_step, &mut show(&bar));
    bar.finish_and_clear();
    let w = written?;
    println!(
        "wrote {}: {} pages of {} bytes, {}; integrity_check: {}",
        w.path.display(),
        w.pages,
        w.page_size,
        size(w.bytes),
        w.integrity
    );
    Ok(())
}

/// `groupwork restore PATH`.
fn restore(config: &Config, path: &std::path::Path, pages_per_step: u32) -> Result<(), String> {
    let target = sqlite_file(config, "restore")?;
    let bar = pages_bar("restore");
    let restored = db::backup::restore(path, target, pages_per_step, &mut show(&bar));
    bar.finish_and_clear();
    let r = restored?;
    let pending = match r.backup.pending {
        0 => "it is up to date with this groupwork".to_string(),
        n => format!("{n} newer migrations will run at the next start"),
    };
    println!(
        "restored {} from {}: {} pages, {}; integrity_check: {}; the backup has {} migrations, {pending}",
        target.display(),
        path.display(),
        r.pages,
        size(r.bytes),
        r.integrity,
        r.backup.migrations
    );
    Ok(())
}

fn serve(mut config: Config, load_demo: bool) -> Result<(), String> {
    let bind = config.bind;
    if load_demo && config.centre_phone.is_empty() {
        // The demo's public pages give a number from Ofcom's range kept for drama: never anyone's.
        config.centre_phone = demo::CENTRE_PHONE.to_string();
    }
    if !config.capacity_guard {
        // Only reachable in a debug build (see `Config::capacity_guard`); say so loudly.
        tracing::warn!(
            "GROUPWORK_UNGUARDED_CAPACITY_FOR_TESTS: the booking capacity guard is OFF, groups can be overbooked"
        );
    }
    warn_if_outbox_unguarded(&config);
    let state = build_state(config, Arc::new(SystemClock))?;
    // One actix system: the demo loads on it (through the services), then the server runs on it.
    let system = actix_web::rt::System::new();
    // In its runtime from here on: lettre's SMTP pool spawns a task when made and when dropped,
    // and panicked outside one (serve and deliver with GROUPWORK_SMTP_URL set did at start).
    let _runtime = system.runtime().tokio_runtime().enter();
    if load_demo {
        match system.block_on(demo::load(&state.services))? {
            demo::Outcome::Loaded(logins) => {
                // Told to the person starting it, never as a log line: with JSON logs (for a
                // shipper, on standard output) they go to standard error instead.
                let mut told =
                    String::from("Demo data loaded. These passwords are shown once only:\n");
                for l in logins {
                    told.push_str(&format!(
                        "  {:<12} {:<38} {}\n",
                        l.role.as_str(),
                        l.email,
                        l.password
                    ));
                }
                match state.config.log_format {
                    LogFormat::Json => eprint!("{told}"),
                    LogFormat::Text => print!("{told}"),
                }
            }
            demo::Outcome::AlreadyLoaded { at } => println!(
                "Demo data already loaded into this database on {at}: nothing added. Its \
                 passwords were printed then and are not shown again."
            ),
            // Serving a centre's own database as if it were the demo would mislead: stop here.
            demo::Outcome::Refused(why) => {
                return Err(format!(
                    "{why}; to serve this database as it is, run serve without --demo"
                ))
            }
        }
    }
    if state.config.retention_daily {
        daily_retention(state.clone());
    }
    let worker = if state.config.delivery {
        Some(Worker::from_config(&state.services, &state.config)?)
    } else {
        None
    };
    let listener =
        std::net::TcpListener::bind(bind).map_err(|e| format!("cannot listen on {bind}: {e}"))?;
    let format = state.config.log_format;
    announce(
        format,
        &format!(
            "groupwork on {} — API docs at http://{bind}/docs",
            state.db_kind.as_str()
        ),
    );
    match &worker {
        Some(w) => announce(format, &format!("Messages: {}", w.describe())),
        None => announce(
            format,
            "Messages: not delivered by this process (GROUPWORK_DELIVERY=false)",
        ),
    }
    system.block_on(async move {
        let grace = Duration::from_secs(state.config.shutdown_timeout_secs);
        // Other processes' bookings show in this one's cached listing at once (PostgreSQL).
        let watcher = match state.config.listing_watch {
            true => service::listing_watch::start(
                &state.config.database_url,
                state.services.signals.clone(),
            )?,
            false => None,
        };
        let (stop, stopping) = tokio::sync::watch::channel(false);
        let delivering = worker.map(|w| actix_web::rt::spawn(w.run_until(stopping)));
        // On SIGTERM or SIGINT the server drains (`/health` says so, for load balancers), then
        // stops accepting and finishes the requests in flight (within the grace period), and
        // only then returns here.
        let signals =
            shutdown::Signals::listen().map_err(|e| format!("cannot listen for signals: {e}"))?;
        let drain = Duration::from_millis(state.config.shutdown_drain_ms);
        let draining = state.drain.clone();
        let served = match run_server(state, listener) {
            Ok(server) => {
                let stopper = shutdown::drain_then_stop(signals, draining, drain, server.handle());
                actix_web::rt::spawn(stopper);
                server.await.map_err(|e| format!("server stopped: {e}"))
            }
            Err(e) => Err(format!("cannot start the server: {e}")),
        };
        // Then the worker finishes the messages in hand, within the same grace. It (and its SMTP
        // pool, which spawns a task as it goes) ends while the runtime still runs: dropped with
        // the system afterwards, it panicked at every stop.
        if let Some(mut d) = delivering {
            let _ = stop.send(true);
            if tokio::time::timeout(grace, &mut d).await.is_err() {
                tracing::warn!("messages still sending after the grace period: stopped");
                d.abort();
                let _ = d.await;
            }
        }
        if let Some(w) = watcher {
            w.stop();
        }
        served
    })
}

/// `groupwork deliver`: one pass and stop (`--once`), or deliver until stopped.
fn deliver(config: Config, once: bool) -> Result<(), String> {
    warn_if_outbox_unguarded(&config);
    let state = build_state(config, Arc::new(SystemClock))?;
    let system = actix_web::rt::System::new();
    // The SMTP pool needs the runtime (see `serve`).
    let _runtime = system.runtime().tokio_runtime().enter();
    let worker = Worker::from_config(&state.services, &state.config)?;
    println!("Messages: {}", worker.describe());
    if once {
        let pass = system
            .block_on(worker.pass(10_000))
            .map_err(|e| format!("delivery failed: {e}"))?;
        println!(
            "{} reminders queued; {} messages taken, {} sent",
            pass.reminders_queued, pass.taken, pass.sent
        );
        Ok(())
    } else {
        system.block_on(async move {
            // SIGTERM or SIGINT: finish the messages in hand, then stop.
            let (stop, stopping) = tokio::sync::watch::channel(false);
            actix_web::rt::spawn(async move {
                let mut term = actix_web::rt::signal::unix::signal(
                    actix_web::rt::signal::unix::SignalKind::terminate(),
                )
                .ok();
                let terminated = async {
                    match term.as_mut() {
                        Some(t) => t.recv().await,
                        None => std::future::pending().await,
                    }
                };
                tokio::select! {
                    _ = terminated => {}
                    _ = actix_web::rt::signal::ctrl_c() => {}
                }
                let _ = stop.send(true);
            });
            worker.run_until(stopping).await;
        });
        Ok(())
    }
}

/// Only reachable in a debug build (see `Config::outbox_guard`); says so loudly.
fn warn_if_outbox_unguarded(config: &Config) {
    if !config.outbox_guard {
        tracing::warn!(
            "GROUPWORK_UNGUARDED_OUTBOX_FOR_TESTS: due messages are taken without a lock, families can be sent a message twice"
        );
    }
}

/// Runs the retention job a minute after start-up and then once a day, on its own thread so a
/// long run never holds up requests.
fn daily_retention(state: actix_web::web::Data<groupwork::AppState>) {
    std::thread::spawn(move || {
        let mut wait = std::time::Duration::from_secs(60);
        loop {
            std::thread::sleep(wait);
            wait = std::time::Duration::from_secs(24 * 60 * 60);
            match retention::run(&state.services, &state.config, false) {
                Ok(report) => tracing::info!(%report, "retention ran"),
                Err(e) => tracing::warn!(error = %e, "retention failed"),
            }
        }
    });
}

fn create_admin(config: Config, email: &str, name: &str) -> Result<(), String> {
    let pw = match std::env::var("GROUPWORK_ADMIN_PASSWORD") {
        Ok(p) if !p.is_empty() => p,
        _ => {
            let p = rpassword::prompt_password("Password for the new admin: ")
                .map_err(|e| format!("cannot read the password: {e}"))?;
            let again = rpassword::prompt_password("Same password again: ")
                .map_err(|e| format!("cannot read the password: {e}"))?;
            if p != again {
                return Err("the two passwords differ".into());
            }
            p
        }
    };
    let problems = groupwork::domain::password::problems(&pw, email);
    if !problems.is_empty() {
        return Err(format!("the password {}", problems.join("; ")));
    }
    if !email.contains('@') || email.len() > 254 {
        return Err(format!("{email:?} is not an email address"));
    }
    let hash = password::hash(&pw)?;
    let timeout = std::time::Duration::from_secs(config.db_timeout_secs);
    let (pool, kind) = db::connect(&config.database_url, 1, timeout)?;
    let services = service::Services::new(pool, kind, Arc::new(SystemClock));
    let cmd = service::accounts::users::NewLogin {
        email: email.to_string(),
        password_hash: hash,
        display_name: name.to_string(),
        role: Role::Admin,
    };
    let create = service::accounts::users::create_login(&services, service::Actor::System, cmd);
    match actix_web::rt::System::new().block_on(create) {
        Ok(u) => {
            println!("admin {} created (id {})", u.email, u.id);
            Ok(())
        }
        Err(service::ServiceError::Conflict(_)) => {
            Err(format!("an account with email {email} already exists"))
        }
        Err(e) => Err(format!("cannot create the admin: {e}")),
    }
}

/// What `import-geography` was given.
struct GeographyFiles {
    postcodes: Option<std::path::PathBuf>,
    ward_names: Option<std::path::PathBuf>,
    imd: Option<std::path::PathBuf>,
    local_authorities: Vec<String>,
    ward_set: Option<String>,
    population: Option<std::path::PathBuf>,
}

/// `groupwork import-geography`: the files are read (and checked) before the database is
/// touched, then written in one transaction.
fn import_geography(config: Config, files: GeographyFiles) -> Result<(), String> {
    use groupwork::service::geography::{self, files::Source};
    enum Job {
        Edition(geography::Edition),
        Population(Vec<(String, i32)>, String),
    }
    let GeographyFiles {
        postcodes,
        ward_names,
        imd,
        local_authorities,
        ward_set,
        population,
    } = files;
    let job = match (postcodes, ward_names, imd, ward_set) {
        (None, None, None, None) if local_authorities.is_empty() => {
            let Some(path) = population else {
                return Err("say what to load: --postcodes, --ward-names, --imd, \
                            --local-authority and --ward-set (and --population if you have it), \
                            or --population alone"
                    .into());
            };
            let source = Source::file(&path)?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            Job::Population(geography::files::read_population(source)?, name)
        }
        (Some(postcodes), Some(ward_names), Some(imd), Some(ward_set)) => {
            geography::files::check_request(&local_authorities, &ward_set)?;
            let sources = geography::files::Sources {
                postcodes: Source::file(&postcodes)?,
                ward_names: Source::file(&ward_names)?,
                imd: Source::file(&imd)?,
                population: population.as_deref().map(Source::file).transpose()?,
            };
            Job::Edition(geography::files::read_edition(
                sources,
                &local_authorities,
                &ward_set,
            )?)
        }
        (postcodes, ward_names, imd, ward_set) => {
            let missing: Vec<&str> = [
                ("--postcodes", postcodes.is_none()),
                ("--ward-names", ward_names.is_none()),
                ("--imd", imd.is_none()),
                ("--ward-set", ward_set.is_none()),
            ]
            .iter()
            .filter(|(_, m)| *m)
            .map(|(name, _)| *name)
            .collect();
            return Err(format!(
                "loading the geography needs {} too (or give --population alone)",
                missing.join(", ")
            ));
        }
    };
    let timeout = std::time::Duration::from_secs(config.db_timeout_secs);
    let (pool, kind) = db::connect(&config.database_url, 1, timeout)?;
    let services = service::Services::new(pool, kind, Arc::new(SystemClock));
    let system = actix_web::rt::System::new();
    let said = match job {
        Job::Edition(edition) => system
            .block_on(geography::import(
                &services,
                service::Actor::System,
                edition,
            ))
            .map(|l| l.to_string()),
        Job::Population(counts, name) => system
            .block_on(geography::load_population(
                &services,
                service::Actor::System,
                counts,
                name,
            ))
            .map(|l| l.to_string()),
    }
    .map_err(|e| format!("the geography was not loaded: {e}"))?;
    println!("{said}");
    Ok(())
}
