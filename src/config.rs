//! Typed configuration from ROSTER_* environment variables. Built once and passed in; nothing
//! reads the environment after start-up, so each test can run its own server.

use crate::clock::Clock;
use rand::RngCore;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

pub const MIN_SECRET_KEY_BYTES: usize = 64;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A plain file path: diesel's SQLite driver wants no `sqlite://` prefix.
    Sqlite(PathBuf),
    Postgres(String),
}

impl DatabaseUrl {
    pub fn parse(value: &str) -> Result<Self, String> {
        if let Some(path) = value.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err("sqlite:// needs a file path, e.g. sqlite://roster.db".into());
            }
            Ok(Self::Sqlite(PathBuf::from(path)))
        } else if value.starts_with("postgres://") || value.starts_with("postgresql://") {
            Ok(Self::Postgres(value.to_owned()))
        } else {
            Err("use sqlite://PATH or postgres://USER@HOST:PORT/DB".into())
        }
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "SQLite",
            Self::Postgres(_) => "PostgreSQL",
        }
    }
}

#[derive(Clone, PartialEq, Eq)]
pub enum MailUrl {
    /// A relay on the local network: plain SMTP, no sign-in.
    Smtp {
        host: String,
        port: u16,
    },
    /// An SMTP URL with TLS or a sign-in, as lettre reads it: `smtps://USER:PASSWORD@HOST`
    /// (TLS from the start, port 465) or `smtp://USER:PASSWORD@HOST:587?tls=required`
    /// (STARTTLS). It holds the password: Debug hides it.
    Url(String),
    File(PathBuf),
}

impl std::fmt::Debug for MailUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Smtp { host, port } => write!(f, "Smtp({host}:{port})"),
            Self::Url(url) => match url::Url::parse(url) {
                Ok(mut shown) => {
                    if shown.password().is_some() {
                        let _ = shown.set_password(Some("***"));
                    }
                    write!(f, "Url({shown})")
                }
                Err(_) => write!(f, "Url(***)"),
            },
            Self::File(dir) => write!(f, "File({})", dir.display()),
        }
    }
}

impl MailUrl {
    pub fn parse(value: &str) -> Result<Self, String> {
        if let Some(dir) = value.strip_prefix("file://") {
            if dir.is_empty() {
                return Err("file:// needs a directory, e.g. file://outbox".into());
            }
            return Ok(Self::File(PathBuf::from(dir)));
        }
        let signs_in_or_tls = value.starts_with("smtps://")
            || (value.starts_with("smtp://") && (value.contains('@') || value.contains('?')));
        if signs_in_or_tls {
            // Read by lettre itself now, so a mistake stops start-up rather than every email.
            lettre::SmtpTransport::from_url(value).map_err(|e| {
                format!("cannot use this SMTP URL ({e}); e.g. smtps://USER:PASSWORD@HOST or smtp://USER:PASSWORD@HOST:587?tls=required")
            })?;
            return Ok(Self::Url(value.to_owned()));
        }
        if let Some(rest) = value.strip_prefix("smtp://") {
            let (host, port) = match rest.rsplit_once(':') {
                Some((host, port)) => (
                    host,
                    port.parse::<u16>()
                        .map_err(|_| format!("'{port}' is not a port number"))?,
                ),
                None => (rest, 25),
            };
            if host.is_empty() || host.contains('/') {
                return Err("use smtp://HOST:PORT".into());
            }
            return Ok(Self::Smtp {
                host: host.to_owned(),
                port,
            });
        }
        Err("use smtp://HOST:PORT, smtps://USER:PASSWORD@HOST, or file://DIRECTORY".into())
    }
}

/// The key that signs and encrypts session cookies. Debug never prints it.
#[derive(Clone)]
pub struct SecretKey(Vec<u8>);

impl SecretKey {
    pub fn new(bytes: Vec<u8>) -> Result<Self, String> {
        if bytes.len() < MIN_SECRET_KEY_BYTES {
            return Err(format!(
                "must be at least {MIN_SECRET_KEY_BYTES} bytes (got {})",
                bytes.len()
            ));
        }
        Ok(Self(bytes))
    }

    pub fn generate() -> Self {
        let mut bytes = vec![0u8; MIN_SECRET_KEY_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        Self(bytes)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

pub const DEFAULT_MAIL_FROM: &str = "Roster <roster@localhost>";

#[derive(Clone, Debug)]
pub struct Config {
    pub database: DatabaseUrl,
    pub bind: SocketAddr,
    /// Used in emailed and printed links; when None it follows the bound address.
    pub base_url: Option<String>,
    pub secret_key: SecretKey,
    pub cookie_secure: bool,
    pub mail: MailUrl,
    /// The From of every email, e.g. `Roster <roster@example.com>`.
    pub mail_from: String,
    pub log: String,
    pub workers: usize,
    /// Sign-in attempts allowed per client address and minute, before 429.
    pub login_attempts_per_minute: u32,
    /// Reverse proxies / load balancers whose X-Forwarded-For is believed: the client
    /// address (for the sign-in limiter and the audit log) is then the nearest address in
    /// that header that is not one of them. Empty: the connection's own address.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// A refused sign-in is answered no sooner than this after it arrived, so an unknown
    /// user, a wrong password, a locked or a blocked account take the same time (the work
    /// behind each differs by a database write or two).
    pub signin_floor: std::time::Duration,
    pub clock: Clock,
    /// Things worth a warning once logging is up (e.g. a generated secret key).
    pub warnings: Vec<String>,
}

/// A configuration value that stops start-up: names the variable, exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {message}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub message: String,
}

fn bad(variable: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        variable,
        message: message.into(),
    }
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads variables through `lookup`, so tests need not touch the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let var = |name: &'static str| lookup(name).filter(|v| !v.trim().is_empty());

        let database = DatabaseUrl::parse(
            &var("ROSTER_DATABASE_URL").unwrap_or_else(|| "sqlite://roster.db".into()),
        )
        .map_err(|m| bad("ROSTER_DATABASE_URL", m))?;

        let bind_text = var("ROSTER_BIND").unwrap_or_else(|| "127.0.0.1:8080".into());
        let bind: SocketAddr = bind_text.parse().map_err(|_| {
            bad(
                "ROSTER_BIND",
                format!("'{bind_text}' is not an address like 127.0.0.1:8080"),
            )
        })?;

        let base_url = match var("ROSTER_BASE_URL") {
            Some(url) => Some(parse_base_url(&url).map_err(|m| bad("ROSTER_BASE_URL", m))?),
            None => None,
        };

        let cookie_secure = match var("ROSTER_COOKIE_SECURE").as_deref() {
            None => true,
            Some(v) => parse_bool(v).ok_or_else(|| {
                bad(
                    "ROSTER_COOKIE_SECURE",
                    format!("'{v}' is not true or false"),
                )
            })?,
        };

        let mail =
            MailUrl::parse(&var("ROSTER_MAIL_URL").unwrap_or_else(|| "file://outbox".into()))
                .map_err(|m| bad("ROSTER_MAIL_URL", m))?;

        let mail_from = var("ROSTER_MAIL_FROM").unwrap_or_else(|| DEFAULT_MAIL_FROM.into());
        mail_from
            .parse::<lettre::message::Mailbox>()
            .map_err(|e| bad("ROSTER_MAIL_FROM", format!("'{mail_from}': {e}")))?;

        let log = var("ROSTER_LOG").unwrap_or_else(|| "info".into());
        log.parse::<tracing_subscriber::filter::Targets>()
            .map_err(|e| bad("ROSTER_LOG", format!("'{log}': {e}")))?;

        let signin_floor = match var("ROSTER_SIGNIN_FLOOR_MS") {
            Some(ms) => ms
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|ms| *ms <= 10_000)
                .map(std::time::Duration::from_millis)
                .ok_or_else(|| {
                    bad(
                        "ROSTER_SIGNIN_FLOOR_MS",
                        format!("'{ms}' is not 0 to 10000 milliseconds"),
                    )
                })?,
            None => DEFAULT_SIGNIN_FLOOR,
        };
        let trusted_proxies = parse_proxies(&var("ROSTER_TRUSTED_PROXIES").unwrap_or_default())
            .map_err(|m| bad("ROSTER_TRUSTED_PROXIES", m))?;

        let mut warnings = Vec::new();
        let secret_key = match var("ROSTER_SECRET_KEY") {
            Some(key) => {
                SecretKey::new(key.into_bytes()).map_err(|m| bad("ROSTER_SECRET_KEY", m))?
            }
            None => {
                let path = secret_key_path(&database);
                let (key, created) =
                    load_or_create_secret(&path).map_err(|m| bad("ROSTER_SECRET_KEY", m))?;
                if created {
                    warnings.push(format!(
                        "ROSTER_SECRET_KEY is not set: generated one into {}. Keep that file \
                         private and backed up, or set ROSTER_SECRET_KEY (at least 64 bytes).",
                        path.display()
                    ));
                }
                key
            }
        };

        Ok(Self {
            database,
            bind,
            base_url,
            secret_key,
            cookie_secure,
            mail,
            mail_from,
            log,
            workers: 2,
            login_attempts_per_minute: 30,
            trusted_proxies,
            signin_floor,
            clock: Clock::default(),
            warnings,
        })
    }
}

/// Above the slowest refusal's own work (an argon2id check and a write, some 50-100 ms here)
/// with room for a slower machine or a busy one.
pub const DEFAULT_SIGNIN_FLOOR: std::time::Duration = std::time::Duration::from_millis(300);

/// "10.0.0.5, 10.1.0.0/16": addresses or networks, separated by commas or spaces.
fn parse_proxies(value: &str) -> Result<Vec<ipnet::IpNet>, String> {
    value
        .split([',', ' '])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.parse::<ipnet::IpNet>()
                .or_else(|_| p.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| {
                    format!("'{p}' is not an address or network, e.g. 10.0.0.5 or 10.0.0.0/8")
                })
        })
        .collect()
}

fn parse_bool(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" => Some(false),
        _ => None,
    }
}

fn parse_base_url(value: &str) -> Result<String, String> {
    let trimmed = value.trim().trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"))
        .ok_or_else(|| format!("'{value}' must start with http:// or https://"))?;
    if rest.is_empty() || rest.contains(char::is_whitespace) {
        return Err(format!(
            "'{value}' is not a URL like https://roster.example.com"
        ));
    }
    Ok(trimmed.to_owned())
}

/// The generated key lives beside the SQLite database (or in the working directory for
/// PostgreSQL), so restarts keep sessions valid.
fn secret_key_path(database: &DatabaseUrl) -> PathBuf {
    match database {
        DatabaseUrl::Sqlite(path) => path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .join("roster.secret"),
        DatabaseUrl::Postgres(_) => PathBuf::from("roster.secret"),
    }
}

fn load_or_create_secret(path: &Path) -> Result<(SecretKey, bool), String> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let bytes = hex::decode(text.trim())
                .map_err(|_| format!("{} does not hold a hex key", path.display()))?;
            Ok((
                SecretKey::new(bytes).map_err(|m| format!("{}: {m}", path.display()))?,
                false,
            ))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = SecretKey::generate();
            write_private(path, &hex::encode(key.as_bytes()))
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            Ok((key, true))
        }
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(contents.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(move |name| {
            vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
        })
    }

    const KEY: &str = "0123456789012345678901234567890123456789012345678901234567890123456789";

    #[test]
    fn defaults_with_a_given_key() {
        let c = config(&[("ROSTER_SECRET_KEY", KEY)]).unwrap();
        assert_eq!(c.database, DatabaseUrl::Sqlite("roster.db".into()));
        assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
        assert!(c.cookie_secure);
        assert_eq!(c.mail, MailUrl::File("outbox".into()));
        assert!(c.warnings.is_empty());
    }

    #[test]
    fn each_bad_value_names_its_variable() {
        let cases = [
            ("ROSTER_DATABASE_URL", "mysql://x"),
            ("ROSTER_BIND", "localhost"),
            ("ROSTER_BASE_URL", "example.com"),
            ("ROSTER_COOKIE_SECURE", "maybe"),
            ("ROSTER_MAIL_URL", "smtp://host:notaport"),
            ("ROSTER_MAIL_URL", "smtps://"),
            ("ROSTER_SECRET_KEY", "short"),
            ("ROSTER_LOG", "roster=loud"),
            ("ROSTER_TRUSTED_PROXIES", "10.0.0.1, proxy.local"),
            ("ROSTER_SIGNIN_FLOOR_MS", "soon"),
        ];
        for (name, value) in cases {
            let mut vars = vec![(name, value)];
            if name != "ROSTER_SECRET_KEY" {
                vars.push(("ROSTER_SECRET_KEY", KEY));
            }
            let err = config(&vars).unwrap_err();
            assert_eq!(err.variable, name, "{value}");
        }
    }

    #[test]
    fn generated_key_is_written_once_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("r.db").display());
        let first = config(&[("ROSTER_DATABASE_URL", &url)]).unwrap();
        assert_eq!(first.warnings.len(), 1);
        let second = config(&[("ROSTER_DATABASE_URL", &url)]).unwrap();
        assert!(second.warnings.is_empty());
        assert_eq!(first.secret_key.as_bytes(), second.secret_key.as_bytes());
    }

    #[test]
    fn trusted_proxies_are_addresses_or_networks() {
        let c = config(&[
            ("ROSTER_SECRET_KEY", KEY),
            ("ROSTER_TRUSTED_PROXIES", "10.0.0.5, 172.16.0.0/12 ::1"),
        ])
        .unwrap();
        let shown: Vec<String> = c.trusted_proxies.iter().map(|n| n.to_string()).collect();
        assert_eq!(shown, ["10.0.0.5/32", "172.16.0.0/12", "::1/128"]);
        let none = config(&[("ROSTER_SECRET_KEY", KEY)]).unwrap();
        assert!(none.trusted_proxies.is_empty());
    }

    #[test]
    fn smtp_with_tls_and_a_sign_in() {
        let url = "smtps://mailer%40example.com:p%40ss@mail.example.com";
        assert_eq!(MailUrl::parse(url).unwrap(), MailUrl::Url(url.into()));
        let shown = format!("{:?}", MailUrl::parse(url).unwrap());
        assert!(!shown.contains("p%40ss"), "{shown}");
        assert!(shown.contains("mail.example.com"), "{shown}");
        let starttls = "smtp://u:p@mail.example.com:587?tls=required";
        assert_eq!(
            MailUrl::parse(starttls).unwrap(),
            MailUrl::Url(starttls.into())
        );
        let err = MailUrl::parse("smtp://u:p@mail.example.com?tls=sometimes").unwrap_err();
        assert!(err.contains("cannot use this SMTP URL"), "{err}");
    }

    #[test]
    fn smtp_and_base_urls() {
        assert_eq!(
            MailUrl::parse("smtp://127.0.0.1:2525").unwrap(),
            MailUrl::Smtp {
                host: "127.0.0.1".into(),
                port: 2525
            }
        );
        assert_eq!(
            parse_base_url("https://r.example.com/").unwrap(),
            "https://r.example.com"
        );
    }
}
