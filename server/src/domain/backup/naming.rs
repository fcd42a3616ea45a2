//! Backup file names — `keel-<database>-<UTC time>.<dump|sqlite>`, e.g. `keel-keel-20261203T071500Z.dump`,
//! with the manifest beside it as `<name>.manifest.json` — and the retention, which only ever removes files
//! whose whole name has that form, for the same database and kind, and never the newest of them.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};

use super::{BackupError, Kind};

const PREFIX: &str = "keel-";
const TIME_FORMAT: &str = "%Y%m%dT%H%M%SZ";
/// `20261203T071500Z`
const TIME_LEN: usize = 16;
pub const MANIFEST_SUFFIX: &str = ".manifest.json";

/// The database's name as it may appear in a file name: anything but letters, digits, `_`, `.` and `-`
/// becomes `_`.
pub fn file_safe(database: &str) -> String {
    database
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

pub fn backup_file_name(database: &str, at: DateTime<Utc>, kind: Kind) -> String {
    format!(
        "{PREFIX}{}-{}.{}",
        file_safe(database),
        at.format(TIME_FORMAT),
        kind.extension()
    )
}

/// The manifest that belongs to a backup file.
pub fn manifest_path(backup: &Path) -> PathBuf {
    let mut name = backup.as_os_str().to_owned();
    name.push(MANIFEST_SUFFIX);
    PathBuf::from(name)
}

/// What a backup's file name says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupName {
    pub database: String,
    pub at: DateTime<Utc>,
    pub kind: Kind,
}

/// Reads a file name written by [`backup_file_name`]; `None` for any other name.
pub fn parse(name: &str) -> Option<BackupName> {
    let rest = name.strip_prefix(PREFIX)?;
    let (stem, extension) = rest.rsplit_once('.')?;
    let kind = [Kind::Postgres, Kind::Sqlite]
        .into_iter()
        .find(|kind| kind.extension() == extension)?;
    let split = stem.len().checked_sub(TIME_LEN + 1)?;
    if !stem.is_char_boundary(split) {
        return None;
    }
    let (database, time) = stem.split_at(split);
    let time = time.strip_prefix('-')?;
    if database.is_empty() || file_safe(database) != database {
        return None;
    }
    let at = NaiveDateTime::parse_from_str(time, TIME_FORMAT)
        .ok()?
        .and_utc();
    // Only the exact form: a name that merely parses (another width, say) is not ours.
    if at.format(TIME_FORMAT).to_string() != time {
        return None;
    }
    Some(BackupName {
        database: database.to_owned(),
        at,
        kind,
    })
}

/// Which of `names` the retention removes: backups of `database` and `kind` taken more than `keep_days`
/// days before `now`, except the newest of them.
pub fn expired(
    names: &[String],
    database: &str,
    kind: Kind,
    now: DateTime<Utc>,
    keep_days: u32,
) -> Vec<String> {
    let database = file_safe(database);
    let ours: Vec<(&String, DateTime<Utc>)> = names
        .iter()
        .filter_map(|name| {
            let parsed = parse(name)?;
            (parsed.database == database && parsed.kind == kind).then_some((name, parsed.at))
        })
        .collect();
    let Some(newest) = ours.iter().map(|(_, at)| *at).max() else {
        return Vec::new();
    };
    let cutoff = now - TimeDelta::days(i64::from(keep_days));
    let mut old: Vec<String> = ours
        .into_iter()
        .filter(|(_, at)| *at < cutoff && *at != newest)
        .map(|(name, _)| name.clone())
        .collect();
    old.sort();
    old
}

/// Removes the expired backups in `dir` and their manifests; answers the backup files removed.
pub fn apply_retention(
    dir: &Path,
    database: &str,
    kind: Kind,
    now: DateTime<Utc>,
    keep_days: u32,
) -> Result<Vec<String>, BackupError> {
    let context = || format!("retention in {}", dir.display());
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(BackupError::io(context()))? {
        let entry = entry.map_err(BackupError::io(context()))?;
        // Regular files only: never a directory or a symbolic link that happens to be named like a backup.
        let is_file = entry
            .file_type()
            .map(|t| t.is_file())
            .map_err(BackupError::io(context()))?;
        if let (true, Some(name)) = (is_file, entry.file_name().to_str()) {
            names.push(name.to_owned());
        }
    }
    let removed = expired(&names, database, kind, now, keep_days);
    for name in &removed {
        let path = dir.join(name);
        std::fs::remove_file(&path).map_err(BackupError::io(format!(
            "removing the old backup {}",
            path.display()
        )))?;
        match std::fs::remove_file(manifest_path(&path)) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                return Err(BackupError::Io {
                    context: format!("removing the manifest of {}", path.display()),
                    source: err,
                })
            }
            _ => {}
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, day, 7, 15, 0).unwrap()
    }

    #[test]
    fn names_round_trip() {
        let name = backup_file_name("keel", at(3), Kind::Postgres);
        assert_eq!(name, "keel-keel-20261203T071500Z.dump");
        assert_eq!(
            parse(&name),
            Some(BackupName {
                database: "keel".into(),
                at: at(3),
                kind: Kind::Postgres
            })
        );
        let odd = backup_file_name("my db/x-1", at(3), Kind::Sqlite);
        assert_eq!(odd, "keel-my_db_x-1-20261203T071500Z.sqlite");
        assert_eq!(parse(&odd).unwrap().database, "my_db_x-1");
    }

    #[test]
    fn other_names_are_not_backups() {
        for name in [
            "keel-keel-20261203T071500Z.dump.manifest.json",
            "keel-keel-20261203T071500Z.tar",
            "keel--20261203T071500Z.dump",
            "keel-keel-2026123T071500Z.dump",
            "keel-keel-20261303T071500Z.dump",
            "keel-keel20261203T071500Z.dump",
            "notes-keel-20261203T071500Z.dump",
            ".keel-keel-20261203T071500Z.dump.partial",
            "keel-keel-20261203T071500Z.DUMP",
        ] {
            assert_eq!(parse(name), None, "{name}");
        }
    }

    #[test]
    fn retention_keeps_recent_foreign_and_the_newest() {
        let names: Vec<String> = [
            "keel-keel-20261101T000000Z.dump",
            "keel-keel-20261120T000000Z.dump",
            "keel-keel-20261202T000000Z.dump",
            "keel-other-20261001T000000Z.dump",
            "keel-keel-20261001T000000Z.sqlite",
            "keel-keel-20261001T000000Z.dump.manifest.json",
            "holiday.jpg",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            expired(&names, "keel", Kind::Postgres, at(3), 7),
            [
                "keel-keel-20261101T000000Z.dump",
                "keel-keel-20261120T000000Z.dump"
            ]
        );
        // Everything is old: all but the newest go.
        assert_eq!(
            expired(&names, "keel", Kind::Postgres, at(31), 7),
            [
                "keel-keel-20261101T000000Z.dump",
                "keel-keel-20261120T000000Z.dump"
            ]
        );
        // A lone old backup is the newest: kept.
        assert!(expired(&names, "other", Kind::Postgres, at(31), 0).is_empty());
    }
}
