//! What every use case is given: the database, the risk models in service and the clock, plus the few settings
//! that change what a use case does.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::clock::{Clock, SystemClock};
use super::credential_cache::CredentialCache;
use super::memo::{FreshMemo, Memo};
use super::models::ModelRegistry;
use crate::auth::residents::ResidentKey;
use crate::domain::decision::{Decision, DecisionPosition};
use crate::domain::region::RegionCode;
use crate::petitions::indicators::PetitionStats;
use crate::petitions::jobs::ImportWaker;
use crate::scoring::record::AssessmentRecord;
use crate::storage::{Db, ReadDb};

/// How petition uploads are run.
#[derive(Debug, Clone, Copy)]
pub struct PetitionSettings {
    /// Uploads larger than this import in the background (the JSON API answers 202).
    pub async_threshold_bytes: usize,
    /// A background import's lease: not renewed for this long, another instance takes it over.
    pub job_stalled_after: Duration,
}

impl Default for PetitionSettings {
    fn default() -> Self {
        Self {
            async_threshold_bytes: 8 * 1024 * 1024,
            job_stalled_after: Duration::from_secs(120),
        }
    }
}

/// Cheap to clone: every part is shared.
#[derive(Clone)]
pub struct Context {
    pub(in crate::app) db: Db,
    /// Where lists and statistics read (see [`Context::reader`]): a streaming replica, or `db` itself.
    reader: ReadDb,
    models: Arc<ModelRegistry>,
    clock: Arc<dyn Clock>,
    pub petitions: PetitionSettings,
    /// Wakes this instance's background import worker when an upload is queued here.
    pub(in crate::app) import_waker: Option<ImportWaker>,
    /// Seals residents' names and phones in the concern ledger; none: concerns are taken anonymous only.
    pub(in crate::app) residents: Option<ResidentKey>,
    /// Tokens and sessions recognised within the last second (shared by the clones of one instance's context).
    pub(in crate::app) credentials: Arc<CredentialCache>,
    /// Stored assessments read lately, by id: a record never changes once stored.
    pub(in crate::app) records: Arc<Memo<Uuid, Arc<AssessmentRecord>>>,
    /// Petition statistics by query and scope, with the version of the data they were computed from.
    pub(in crate::app) petition_stats: Arc<Memo<String, (PetitionDataVersion, Arc<PetitionStats>)>>,
    /// That version as read lately, under the count of background imports this instance's worker finished
    /// before the read (a new one here is read at once): forgotten when this instance imports in the
    /// foreground or changes regions, otherwise read again after a second.
    pub(in crate::app) petition_version: Arc<FreshMemo<u64, PetitionDataVersion>>,
    /// Decisions' regions read lately, by decision id, for the scope check of their assessments: forgotten
    /// when this instance changes or archives the decision.
    pub(in crate::app) decision_regions: Arc<FreshMemo<Uuid, Arc<Vec<RegionCode>>>>,
    /// Pages of the decision list read lately, by filter and scope: forgotten on any decision write here.
    pub(in crate::app) decision_pages: Arc<FreshMemo<String, Arc<DecisionPage>>>,
}

/// One page of the decision list and where the next one starts.
pub(in crate::app) type DecisionPage = (Vec<Decision>, Option<DecisionPosition>);

/// See `Db::petition_data_version`.
type PetitionDataVersion = (i64, Option<DateTime<Utc>>, i64);

/// Records kept: about 30 KB of JSON each, a few times that parsed.
const RECORDS_KEPT: usize = 64;
/// Statistics kept: a few KB each.
const PETITION_STATS_KEPT: usize = 256;
/// Decisions whose regions are kept: a few codes each.
const DECISION_REGIONS_KEPT: usize = 4096;
/// Decision list pages kept: up to a hundred decisions each, so up to a few hundred KB.
const DECISION_PAGES_KEPT: usize = 64;

impl Context {
    pub fn new(db: Db, models: ModelRegistry) -> Self {
        Self {
            reader: ReadDb::primary(db.clone()),
            db,
            models: Arc::new(models),
            clock: Arc::new(SystemClock),
            petitions: PetitionSettings::default(),
            import_waker: None,
            residents: None,
            credentials: Arc::default(),
            records: Arc::new(Memo::new(RECORDS_KEPT)),
            petition_stats: Arc::new(Memo::new(PETITION_STATS_KEPT)),
            petition_version: Arc::new(FreshMemo::new(1)),
            decision_regions: Arc::new(FreshMemo::new(DECISION_REGIONS_KEPT)),
            decision_pages: Arc::new(FreshMemo::new(DECISION_PAGES_KEPT)),
        }
    }

    /// This instance changed what the decision list shows (a decision, its assessments, resolutions, checklist
    /// or alerts): its pages are read again; the change shows on other instances within a second.
    pub(in crate::app) fn decisions_changed(&self) {
        self.decision_pages.forget_all();
    }

    /// This instance changed a decision (its regions, perhaps) or archived it: the scope check of its
    /// assessments reads its regions again, and the list its pages.
    pub(in crate::app) fn decision_moved(&self, id: Uuid) {
        self.decision_regions.forget(&id);
        self.decisions_changed();
    }

    /// This instance imported petitions or changed regions: statistics read the data's version again, and the
    /// list too (an import may raise follow-up alerts and flag resolutions for review).
    pub(in crate::app) fn petition_data_changed(&self) {
        self.petition_version.forget_all();
        self.decisions_changed();
    }

    /// Background imports this instance's worker has finished (0 without one).
    pub(in crate::app) fn background_imports_finished(&self) -> u64 {
        self.import_waker.as_ref().map_or(0, ImportWaker::finished)
    }

    /// Whether this instance's worker is running a background import: while it is, lists and statistics are
    /// read anew each time, since the import's status may show it done before the count above has moved.
    pub(in crate::app) fn background_import_running(&self) -> bool {
        self.import_waker.as_ref().is_some_and(ImportWaker::running)
    }

    /// Lists and statistics read from this streaming replica from now on.
    pub fn with_read_replica(mut self, replica: ReadDb) -> Self {
        self.reader = replica;
        self
    }

    /// The database for a read that may lag the primary by the replica's replay delay: lists and statistics, which
    /// a reader refreshes. Never for a read inside a write, a read of what this request just wrote, a precondition
    /// (`If-Match`), a sign-in, session or token, a job claim or the throttle: those use `db`, the primary.
    pub(in crate::app) fn reader(&self) -> &Db {
        self.reader.db()
    }

    /// Which database serves lists and statistics (`primary` or `replica`), and how many it has served since
    /// start, for the metrics.
    pub fn reads_served(&self) -> (&'static str, u64) {
        (self.reader.pool().as_str(), self.reader.served())
    }

    /// The read replica answers (always true without one).
    pub(in crate::app) async fn reader_readiness(&self) -> Result<(), String> {
        self.reader.readiness().await
    }

    pub fn with_clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Uploads queued through this context wake this worker (others find them within a second anyway).
    pub fn with_import_waker(mut self, waker: ImportWaker) -> Self {
        self.import_waker = Some(waker);
        self
    }

    pub fn with_petition_settings(mut self, settings: PetitionSettings) -> Self {
        self.petitions = settings;
        self
    }

    pub fn with_resident_key(mut self, key: ResidentKey) -> Self {
        self.residents = Some(key);
        self
    }

    /// Whether residents' names and phones can be stored (a resident key is set).
    pub fn seals_residents(&self) -> bool {
        self.residents.is_some()
    }

    pub fn models(&self) -> &ModelRegistry {
        &self.models
    }

    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    /// The database's backend name (sqlite or postgres), for logs and metrics.
    pub fn backend(&self) -> &'static str {
        self.db.backend()
    }

    /// Closes the database's connections (the replica's too); the context is unusable after.
    pub async fn close(&self) {
        self.reader.close().await;
        self.db.close().await
    }
}
