//! One [`Settings`] struct, layered: defaults < `wenping.toml` < `WENPING_*` environment < flags.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub database_url: String,
    /// A streaming replica of the PostgreSQL database (`pg_basebackup -R`) for reads that tolerate its lag: lists
    /// and statistics. None: every read goes to `database_url`.
    pub database_read_url: Option<String>,
    pub bind: String,
    /// The folder of risk-model files; none: `./models` when it exists, else the models built into the binary.
    pub models_dir: Option<PathBuf>,
    pub log_format: LogFormat,
    /// A font file for characters outside the bundled CJK font (rare characters in place names).
    pub font: Option<PathBuf>,
    /// Petition uploads larger than this import in the background: 202 with the import id.
    pub petitions_async_threshold_bytes: usize,
    /// The lease on a background import: its holder renews it four times as often; once it has expired (the
    /// holder died) another instance takes the job over.
    pub petitions_job_stalled_after_seconds: u64,
    /// The key residents' names and phones in the concern ledger are sealed with: 32 bytes in base64
    /// (`openssl rand -base64 32`). Several instances must share it. None: the file `resident_key_file`.
    pub resident_key: Option<String>,
    /// Where the resident key is kept when `resident_key` is not set; none: `resident.key` beside a SQLite
    /// database (made on first start). A PostgreSQL deployment sets one of the two.
    pub resident_key_file: Option<PathBuf>,
}

/// 8 MiB: about 75 000 rows of a county export, a few seconds of import.
pub const DEFAULT_ASYNC_THRESHOLD_BYTES: usize = 8 * 1024 * 1024;
/// Two minutes: the largest upload (64 MiB) imports in a few seconds, so a silence this long is a dead server.
pub const DEFAULT_JOB_STALLED_AFTER_SECONDS: u64 = 120;

impl Default for Settings {
    fn default() -> Self {
        Self {
            database_url: "sqlite://./wenping-data/wenping.db".into(),
            database_read_url: None,
            bind: "127.0.0.1:8080".into(),
            models_dir: None,
            log_format: LogFormat::Text,
            font: None,
            petitions_async_threshold_bytes: DEFAULT_ASYNC_THRESHOLD_BYTES,
            petitions_job_stalled_after_seconds: DEFAULT_JOB_STALLED_AFTER_SECONDS,
            resident_key: None,
            resident_key_file: None,
        }
    }
}

/// Values given on the command line; each one set wins over every other layer.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Overrides {
    /// Database URL: sqlite://PATH or postgres://USER:PASSWORD@HOST/DB [env: WENPING_DATABASE_URL]
    #[arg(long, global = true)]
    pub database_url: Option<String>,
    /// A PostgreSQL streaming replica for lists and statistics [env: WENPING_DATABASE_READ_URL]
    #[arg(long, global = true)]
    pub database_read_url: Option<String>,
    /// Address to listen on, HOST:PORT (port 0 picks a free one) [env: WENPING_BIND]
    #[arg(long, global = true)]
    pub bind: Option<String>,
    /// Folder of risk-model files [env: WENPING_MODELS_DIR]
    #[arg(long, global = true)]
    pub models_dir: Option<PathBuf>,
    /// Log format [env: WENPING_LOG_FORMAT]
    #[arg(long, global = true, value_enum)]
    pub log_format: Option<LogFormat>,
    /// Fallback font file for characters the bundled font lacks [env: WENPING_FONT]
    #[arg(long, global = true)]
    pub font: Option<PathBuf>,
    /// Settings file; without it ./wenping.toml is read when present [env: WENPING_CONFIG]
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read settings file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("settings file {path} is not valid: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("environment variable {name}: {message}")]
    Env { name: &'static str, message: String },
}

const DEFAULT_FILE: &str = "wenping.toml";

impl Settings {
    /// Reads the layers from this process's environment and working directory.
    pub fn load(flags: &Overrides) -> Result<Self, ConfigError> {
        Self::load_from(flags, |name| std::env::var(name).ok())
    }

    /// The layering itself, with the environment passed in so tests need not touch the process's.
    pub fn load_from(
        flags: &Overrides,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let explicit_file = flags
            .config
            .clone()
            .or_else(|| env("WENPING_CONFIG").map(PathBuf::from));
        let mut settings = match &explicit_file {
            Some(path) => Self::from_file(path)?,
            None if Path::new(DEFAULT_FILE).exists() => Self::from_file(Path::new(DEFAULT_FILE))?,
            None => Self::default(),
        };
        if let Some(url) = env("WENPING_DATABASE_URL") {
            settings.database_url = url;
        }
        if let Some(url) = env("WENPING_DATABASE_READ_URL") {
            settings.database_read_url = Some(url);
        }
        if let Some(bind) = env("WENPING_BIND") {
            settings.bind = bind;
        }
        if let Some(dir) = env("WENPING_MODELS_DIR") {
            settings.models_dir = Some(PathBuf::from(dir));
        }
        if let Some(format) = env("WENPING_LOG_FORMAT") {
            settings.log_format = match format.to_ascii_lowercase().as_str() {
                "text" => LogFormat::Text,
                "json" => LogFormat::Json,
                _ => {
                    return Err(ConfigError::Env {
                        name: "WENPING_LOG_FORMAT",
                        message: format!("'{format}' is neither 'text' nor 'json'"),
                    });
                }
            };
        }
        if let Some(bytes) = env("WENPING_PETITIONS_ASYNC_THRESHOLD_BYTES") {
            settings.petitions_async_threshold_bytes =
                bytes.trim().parse().map_err(|_| ConfigError::Env {
                    name: "WENPING_PETITIONS_ASYNC_THRESHOLD_BYTES",
                    message: format!("'{bytes}' is not a number of bytes"),
                })?;
        }
        if let Some(seconds) = env("WENPING_PETITIONS_JOB_STALLED_AFTER_SECONDS") {
            settings.petitions_job_stalled_after_seconds = seconds
                .trim()
                .parse()
                .ok()
                .filter(|s| *s >= 1)
                .ok_or_else(|| ConfigError::Env {
                    name: "WENPING_PETITIONS_JOB_STALLED_AFTER_SECONDS",
                    message: format!("'{seconds}' is not a whole number of seconds, at least 1"),
                })?;
        }
        if let Some(key) = env("WENPING_RESIDENT_KEY") {
            settings.resident_key = Some(key);
        }
        if let Some(file) = env("WENPING_RESIDENT_KEY_FILE") {
            settings.resident_key_file = Some(PathBuf::from(file));
        }
        if let Some(font) = env("WENPING_FONT") {
            settings.font = Some(PathBuf::from(font));
        }
        if let Some(font) = &flags.font {
            settings.font = Some(font.clone());
        }
        if let Some(url) = &flags.database_url {
            settings.database_url = url.clone();
        }
        if let Some(url) = &flags.database_read_url {
            settings.database_read_url = Some(url.clone());
        }
        if let Some(bind) = &flags.bind {
            settings.bind = bind.clone();
        }
        if let Some(dir) = &flags.models_dir {
            settings.models_dir = Some(dir.clone());
        }
        if let Some(format) = flags.log_format {
            settings.log_format = format;
        }
        Ok(settings)
    }

    fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.to_owned(),
            message: e.to_string(),
        })
    }
}

/// A database URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme_end + 3],
                    &userinfo[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::io::Write;

    use super::*;

    #[test]
    fn each_layer_overrides_the_one_below() {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        writeln!(
            file,
            "bind = \"0.0.0.0:9000\"\nmodels_dir = \"/srv/models\"\nlog_format = \"json\""
        )
        .unwrap();
        let env: HashMap<&str, &str> = [
            ("WENPING_MODELS_DIR", "/env/models"),
            ("WENPING_DATABASE_URL", "sqlite://env.db"),
        ]
        .into();
        let flags = Overrides {
            config: Some(file.path().to_owned()),
            database_url: Some("postgres://flag/db".into()),
            ..Overrides::default()
        };
        let settings =
            Settings::load_from(&flags, |name| env.get(name).map(|v| v.to_string())).unwrap();
        assert_eq!(settings.bind, "0.0.0.0:9000", "file beats default");
        assert_eq!(
            settings.models_dir,
            Some(PathBuf::from("/env/models")),
            "env beats file"
        );
        assert_eq!(
            settings.database_url, "postgres://flag/db",
            "flag beats env"
        );
        assert_eq!(settings.log_format, LogFormat::Json);
    }

    #[test]
    fn the_read_database_is_layered_like_the_database() {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        writeln!(file, "database_read_url = \"postgres://file/replica\"").unwrap();
        let from_file = Overrides {
            config: Some(file.path().to_owned()),
            ..Overrides::default()
        };
        let read_url = |flags: &Overrides, env: Option<&str>| {
            Settings::load_from(flags, |name| {
                (name == "WENPING_DATABASE_READ_URL")
                    .then(|| env.map(str::to_owned))
                    .flatten()
            })
            .unwrap()
            .database_read_url
        };
        assert_eq!(Settings::default().database_read_url, None);
        assert_eq!(
            read_url(&from_file, None).as_deref(),
            Some("postgres://file/replica")
        );
        assert_eq!(
            read_url(&from_file, Some("postgres://env/replica")).as_deref(),
            Some("postgres://env/replica"),
            "env beats file"
        );
        let flagged = Overrides {
            database_read_url: Some("postgres://flag/replica".into()),
            ..from_file
        };
        assert_eq!(
            read_url(&flagged, Some("postgres://env/replica")).as_deref(),
            Some("postgres://flag/replica"),
            "flag beats env"
        );
    }

    #[test]
    fn bad_settings_are_reported_with_their_source() {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        writeln!(file, "bnid = \"x\"").unwrap();
        let flags = Overrides {
            config: Some(file.path().to_owned()),
            ..Overrides::default()
        };
        let err = Settings::load_from(&flags, |_| None).unwrap_err();
        assert!(err.to_string().contains("bnid"), "{err}");

        let err = Settings::load_from(&Overrides::default(), |name| {
            (name == "WENPING_LOG_FORMAT").then(|| "yaml".to_string())
        })
        .unwrap_err();
        assert!(err.to_string().contains("WENPING_LOG_FORMAT"), "{err}");

        let err = Settings::load_from(&Overrides::default(), |name| {
            (name == "WENPING_PETITIONS_ASYNC_THRESHOLD_BYTES").then(|| "8 MB".to_string())
        })
        .unwrap_err();
        assert!(err.to_string().contains("not a number of bytes"), "{err}");
    }

    #[test]
    fn redact_hides_only_the_password() {
        assert_eq!(
            redact("postgres://wenping:secret@db:5432/wenping"),
            "postgres://wenping:***@db:5432/wenping"
        );
        assert_eq!(
            redact("sqlite://./wenping-data/wenping.db"),
            "sqlite://./wenping-data/wenping.db"
        );
    }
}
