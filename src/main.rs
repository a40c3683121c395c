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
    }
}
