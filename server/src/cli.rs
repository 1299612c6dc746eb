//! Command line: `server` (serve), `server migrate`, `server admin token --email <e> [--ttl <dur>]`,
//! `server dataplane token --name <n> [--ttl <dur>]`.

use crate::config::Config;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "server", about = "Tenantry: a multi-tenant admin console")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the console (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Administrative tasks.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Credentials for data planes (they report traffic and can do nothing else).
    Dataplane {
        #[command(subcommand)]
        command: DataplaneCommand,
    },
}

#[derive(Subcommand)]
enum DataplaneCommand {
    /// Print a new data-plane token (`ndp_…`) for `POST /api/v1/traffic`.
    Token {
        /// A name for the data plane, shown in the audit log.
        #[arg(long)]
        name: String,
        /// Lifetime such as 365d, 30d or 12h.
        #[arg(long, default_value = "365d")]
        ttl: String,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Print a new API token for an existing user (for bootstrap and automation).
    Token {
        /// The user's email address.
        #[arg(long)]
        email: String,
        /// Lifetime such as 30d, 12h, 15m or 3600s.
        #[arg(long, default_value = "30d")]
        ttl: String,
    },
}

/// Parses `30d`, `12h`, `15m`, `90s` into milliseconds.
pub fn parse_duration_ms(s: &str) -> Result<i64, String> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: i64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a duration like 30d, 12h, 15m or 90s"))?;
    let factor = match unit {
        "d" => 86_400_000,
        "h" => 3_600_000,
        "m" => 60_000,
        "s" | "" => 1_000,
        _ => return Err(format!("`{s}`: the unit must be d, h, m or s")),
    };
    if n <= 0 {
        return Err("the duration must be positive".into());
    }
    n.checked_mul(factor)
        .ok_or_else(|| format!("`{s}` is too long"))
}

pub async fn dispatch() -> Result<(), String> {
    let cli = Cli::parse();
    let config = Config::from_env()?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => crate::serve(config).await,
        Command::Migrate => {
            crate::open_db(&config).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Admin {
            command: AdminCommand::Token { email, ttl },
        } => {
            let ttl_ms = parse_duration_ms(&ttl)?;
            let db = crate::open_db(&config).await?;
            crate::bootstrap(&db, &config).await?;
            let (_, token, expires_at) = domain::tokens::issue_for_email(&db, &email, ttl_ms)
                .await
                .map_err(|e| match e {
                    domain::DomainError::NotFound(_) => format!("no user with the email {email}"),
                    other => other.to_string(),
                })?;
            println!("{token}");
            eprintln!("expires {}", app::fmt_time(expires_at));
            Ok(())
        }
        Command::Dataplane {
            command: DataplaneCommand::Token { name, ttl },
        } => {
            let ttl_ms = parse_duration_ms(&ttl)?;
            let db = crate::open_db(&config).await?;
            let (token, expires_at) = domain::traffic::issue_token(&db, &name, ttl_ms)
                .await
                .map_err(|e| e.to_string())?;
            println!("{token}");
            eprintln!("expires {}", app::fmt_time(expires_at));
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_duration_ms;

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration_ms("30d"), Ok(30 * 86_400_000));
        assert_eq!(parse_duration_ms("90s"), Ok(90_000));
        assert!(parse_duration_ms("0h").is_err());
        assert!(parse_duration_ms("ten").is_err());
        assert!(parse_duration_ms("5w").is_err());
    }
}
