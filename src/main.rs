use clap::{Args, Parser, Subcommand};
use roster::config::Config;
use std::process::ExitCode;

mod cli;

/// Roster: invite people by email, give them roles and access per company, keep it right.
#[derive(Parser)]
#[command(name = "roster", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (the default). Prints how to sign in.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create an account administrator without the browser, for scripts.
    CreateAdmin(CreateAdminArgs),
    /// Fill the database with a new account of realistic, deterministic demo data.
    Seed(SeedArgs),
}

#[derive(Args)]
pub struct SeedArgs {
    /// How many users to make.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(0..=5_000_000))]
    pub users: u64,
    /// How many companies the account has (1 makes a Single Company Account).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=100))]
    pub companies: u64,
    /// The random seed: the same seed makes the same data.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The seeded account's name.
    #[arg(long, default_value = "Demo Group")]
    pub account: String,
    /// Also make this email an account administrator of the seeded account, so a demo or a
    /// benchmark can sign in (needs --password-stdin).
    #[arg(long, requires = "password_stdin")]
    pub admin_email: Option<String>,
    /// Read that administrator's password from the first line of standard input.
    #[arg(long, requires = "admin_email")]
    pub password_stdin: bool,
}

#[derive(Args)]
pub struct CreateAdminArgs {
    /// The administrator's email address (also their sign-in name).
    #[arg(long)]
    pub email: String,
    /// Read the password from the first line of standard input (required: passwords never
    /// go on the command line, where other users can see them).
    #[arg(long, required = true)]
    pub password_stdin: bool,
    /// The account to add the administrator to; created when missing. Optional when the
    /// installation has at most one account.
    #[arg(long)]
    pub account: Option<String>,
    /// The company the administrator gets the Admin role in; created when missing.
    #[arg(long)]
    pub company: Option<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("roster: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    cli::init_logging(&config);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => cli::serve(config),
        Command::Migrate => cli::migrate(&config),
        Command::CreateAdmin(args) => cli::create_admin(&config, &args),
        Command::Seed(args) => cli::seed(&config, &args),
    }
}
