//! `pg_dump` and `pg_restore`, found on `PATH`. The password never appears on their command line (where any
//! user of the machine could read it): it is handed over in `PGPASSWORD`, and the URL they get has none.

use std::{path::Path, process::Stdio};

use tokio::process::Command;

use super::BackupError;

/// A PostgreSQL client program and the version it reports.
#[derive(Debug, Clone)]
pub struct PgTool {
    pub name: &'static str,
    /// As the program prints it, e.g. `pg_dump (PostgreSQL) 15.4`.
    pub version: String,
    pub major: u32,
}

/// Runs `name --version`; a missing program is one clear line.
pub async fn find(name: &'static str) -> Result<PgTool, BackupError> {
    let output = Command::new(name)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .await
        .map_err(|err| {
            if err.kind() == std::io::ErrorKind::NotFound {
                BackupError::Tool(format!(
                    "{name} not found on PATH: install the PostgreSQL client programs \
                     (apt-get install postgresql-client) in the server's major version or newer"
                ))
            } else {
                BackupError::Tool(format!("cannot run {name}: {err}"))
            }
        })?;
    let text = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    let major = major_version(&text).ok_or_else(|| {
        BackupError::Tool(format!("cannot read the version of {name} from `{text}`"))
    })?;
    Ok(PgTool {
        name,
        version: text,
        major,
    })
}

/// `pg_dump (PostgreSQL) 15.4 (Debian 15.4-1)` → 15; `psql (PostgreSQL) 17devel` → 17.
pub fn major_version(text: &str) -> Option<u32> {
    let after = text.split(')').nth(1)?.trim_start();
    let digits: String = after.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

impl PgTool {
    /// Refuses a program older than the server (`pg_dump` cannot dump a newer server) or, for
    /// `pg_restore`, than the `pg_dump` that wrote the file.
    pub fn require_at_least(&self, major: u32, what: &str) -> Result<(), BackupError> {
        if self.major >= major {
            Ok(())
        } else {
            Err(BackupError::Tool(format!(
                "{} is version {}, older than {what} ({major}): install the PostgreSQL {major} client \
                 programs or newer and put them first on PATH",
                self.name, self.major
            )))
        }
    }
}

/// The URL without its password, and the password (percent-decoded), for `PGPASSWORD`.
fn split_password(url: &url::Url) -> (String, Option<String>) {
    let mut bare = url.clone();
    let password = url.password().map(percent_decode);
    let _ = bare.set_password(None);
    (bare.to_string(), password)
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let pair = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(byte) = u8::from_str_radix(pair, 16) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Runs the program to the end; a failure is its first error line.
async fn run(tool: &PgTool, url: &url::Url, args: &[String]) -> Result<(), BackupError> {
    let (bare, password) = split_password(url);
    let mut command = Command::new(tool.name);
    command
        .args(args)
        .arg(format!("--dbname={bare}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if let Some(password) = password {
        command.env("PGPASSWORD", password);
    }
    let output = command
        .output()
        .await
        .map_err(|err| BackupError::Tool(format!("cannot run {}: {err}", tool.name)))?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let line = stderr
        .lines()
        .find(|line| line.contains("error"))
        .or_else(|| stderr.lines().find(|line| !line.trim().is_empty()))
        .unwrap_or("no message")
        .trim();
    Err(BackupError::Tool(format!(
        "{} failed ({}): {line}",
        tool.name, output.status
    )))
}

/// `pg_dump --format=custom` of the exported snapshot into `out`.
pub async fn dump(
    tool: &PgTool,
    url: &url::Url,
    snapshot: &str,
    out: &Path,
) -> Result<(), BackupError> {
    run(
        tool,
        url,
        &[
            "--format=custom".into(),
            "--no-password".into(),
            format!("--snapshot={snapshot}"),
            format!("--file={}", out.display()),
        ],
    )
    .await
}

/// `pg_restore` of `file` into the database at `url`, in one transaction: it all applies or none of it.
/// Owners and privileges are left out (the roles of the machine that made the backup need not exist here).
/// `clean`: drop each object of the backup first (restoring over an existing schema).
pub async fn restore(
    tool: &PgTool,
    url: &url::Url,
    file: &Path,
    clean: bool,
) -> Result<(), BackupError> {
    let mut args: Vec<String> = vec![
        "--no-password".into(),
        "--no-owner".into(),
        "--no-acl".into(),
        "--single-transaction".into(),
        "--exit-on-error".into(),
    ];
    if clean {
        args.push("--clean".into());
        args.push("--if-exists".into());
    }
    args.push(file.display().to_string());
    run(tool, url, &args).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_read() {
        assert_eq!(
            major_version("pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)"),
            Some(15)
        );
        assert_eq!(major_version("pg_restore (PostgreSQL) 9.6.24"), Some(9));
        assert_eq!(major_version("pg_dump (PostgreSQL) 17devel"), Some(17));
        assert_eq!(major_version("something else"), None);
    }

    #[test]
    fn the_password_leaves_the_url() {
        let url =
            url::Url::parse("postgres://keel:s%40cret%2F1@db:5432/keel?sslmode=require").unwrap();
        let (bare, password) = split_password(&url);
        assert_eq!(bare, "postgres://keel@db:5432/keel?sslmode=require");
        assert_eq!(password.as_deref(), Some("s@cret/1"));
    }
}
