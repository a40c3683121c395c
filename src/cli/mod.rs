//! The command-line entry points behind `main`.

use crate::{CreateAdminArgs, SeedArgs};
use roster::App;
use roster::auth::password;
use roster::config::Config;
use roster::db;
use roster::domain::setup::{self, AccountChoice};
use std::io::BufRead;
use std::process::ExitCode;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::prelude::*;

pub fn init_logging(config: &Config) {
    // Config::from_env already checked that the filter parses.
    let filter: Targets = config.log.parse().unwrap_or_default();
    tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(filter)
        .init();
    for warning in &config.warnings {
        tracing::warn!("{warning}");
    }
}

pub fn serve(config: Config) -> ExitCode {
    let backend = config.database.backend_name();
    actix_web::rt::System::new().block_on(async move {
        let app = match App::build(config) {
            Ok(app) => app,
            Err(e) => {
                // A database or address that does not work is a configuration problem: name
                // the variable and exit 2, like any other bad value.
                return match e.variable() {
                    Some(variable) => {
                        eprintln!("roster: configuration error: {variable}: {e}");
                        ExitCode::from(2)
                    }
                    None => {
                        eprintln!("roster: cannot start: {e}");
                        ExitCode::FAILURE
                    }
                };
            }
        };
        println!("Roster is running at {} ({backend}).", app.base_url());
        if app.setup_links().is_empty() {
            println!("Sign in at {}/login", app.base_url());
        }
        for (account, link) in app.setup_links() {
            println!();
            println!(
                "  Account \"{account}\" has no administrator yet. Open this one-time link to"
            );
            println!("  create the first one (valid 24 hours; a restart prints a new link and");
            println!("  voids this one):");
            println!();
            println!("      {link}");
            println!();
        }
        match app.run_until_stopped().await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("roster: server stopped: {e}");
                ExitCode::FAILURE
            }
        }
    })
}

pub fn migrate(config: &Config) -> ExitCode {
    match db::Manager::new(config.database.clone())
        .establish()
        .and_then(|mut c| db::migrate(&mut c))
    {
        Ok(()) => {
            println!("Migrations applied ({}).", config.database.backend_name());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("roster: {e}");
            ExitCode::FAILURE
        }
    }
}

pub fn create_admin(config: &Config, args: &CreateAdminArgs) -> ExitCode {
    match try_create_admin(config, args) {
        Ok(message) => {
            println!("{message}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("roster: {message}");
            ExitCode::FAILURE
        }
    }
}

fn read_password() -> Result<String, String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

pub fn seed(config: &Config, args: &SeedArgs) -> ExitCode {
    match try_seed(config, args) {
        Ok(message) => {
            println!("{message}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("roster: {message}");
            ExitCode::FAILURE
        }
    }
}

/// An account or company name given on the command line, held to the pages' limit.
fn check_name_flag(flag: &str, value: &str) -> Result<(), String> {
    let mut errors = roster::domain::FieldErrors::default();
    roster::domain::users::check_name(&mut errors, "name", "The name", value.trim());
    match errors.get("name") {
        Some(message) => Err(format!("{flag}: {message}")),
        None => Ok(()),
    }
}

fn try_seed(config: &Config, args: &SeedArgs) -> Result<String, String> {
    check_name_flag("--account", &args.account)?;
    let admin = match &args.admin_email {
        Some(email) => {
            let email = email.trim().to_owned();
            let mut errors = roster::domain::FieldErrors::default();
            roster::domain::users::check_email(&mut errors, "email", &email);
            if let Some(message) = errors.get("email") {
                return Err(format!("--admin-email: {message}"));
            }
            let password_given = read_password()?;
            password::check_strength(&password_given, &[&email, &args.account])
                .map_err(|reason| format!("the password was refused: {reason}"))?;
            Some((
                email,
                password::hash(&password_given).map_err(|e| e.to_string())?,
            ))
        }
        None => None,
    };
    let started = std::time::Instant::now();
    let mut conn = db::Manager::new(config.database.clone())
        .establish()
        .map_err(|e| e.to_string())?;
    db::migrate(&mut conn).map_err(|e| e.to_string())?;
    let options = roster::domain::seed::SeedOptions {
        users: usize::try_from(args.users).map_err(|e| e.to_string())?,
        companies: usize::try_from(args.companies).map_err(|e| e.to_string())?,
        seed: args.seed,
        account_name: args.account.trim().to_owned(),
        admin,
    };
    let r = roster::domain::seed::seed(&mut conn, &options, config.clock.now_naive())
        .map_err(|e| e.to_string())?;
    Ok(format!(
        "Seeded account \"{}\" ({}) in {:.1} s: {} companies, {} users ({} active, {} invited, \
         {} deactivated, {} blocked; {} locked, {} expired, {} integrated), {} memberships, \
         {} failed invitations, {} users without access to a required custom field.",
        options.account_name,
        config.database.backend_name(),
        started.elapsed().as_secs_f64(),
        r.companies,
        r.users,
        r.active,
        r.invited,
        r.deactivated,
        r.blocked,
        r.locked,
        r.expired,
        r.integrated,
        r.memberships,
        r.failed_invitations,
        r.missing_required_field,
    ))
}

fn try_create_admin(config: &Config, args: &CreateAdminArgs) -> Result<String, String> {
    let password_line = read_password()?;
    let password_given = password_line.as_str();
    let email = args.email.trim();
    let mut errors = roster::domain::FieldErrors::default();
    roster::domain::users::check_email(&mut errors, "email", email);
    if let Some(message) = errors.get("email") {
        return Err(format!("--email: {message}"));
    }
    for (flag, value) in [("--account", &args.account), ("--company", &args.company)] {
        if let Some(value) = value {
            check_name_flag(flag, value)?;
        }
    }

    let mut conn = db::Manager::new(config.database.clone())
        .establish()
        .map_err(|e| e.to_string())?;
    db::migrate(&mut conn).map_err(|e| e.to_string())?;
    let choice = match args.account.as_deref().map(str::trim) {
        Some(name) if !name.is_empty() => AccountChoice::Named(name),
        _ => AccountChoice::Default,
    };
    let account_name = setup::resolve_account(&mut conn, &choice)
        .map_err(|e| e.to_string())?
        .map(|a| a.name)
        .unwrap_or_else(|| match &choice {
            AccountChoice::Named(name) => (*name).to_owned(),
            AccountChoice::Default => roster::domain::accounts::DEFAULT_ACCOUNT_NAME.to_owned(),
        });
    password::check_strength(password_given, &[email, &account_name])
        .map_err(|reason| format!("the password was refused: {reason}"))?;
    let hash = password::hash(password_given).map_err(|e| e.to_string())?;
    let company = args
        .company
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let (account, user) = setup::create_admin(
        &mut conn,
        &choice,
        company,
        email,
        hash,
        config.clock.now_naive(),
    )
    .map_err(|e| e.to_string())?;
    Ok(format!(
        "Created account administrator {} in account \"{}\". They can sign in at /login.",
        user.email, account.name
    ))
}
