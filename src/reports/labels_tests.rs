//! assets/labels.toml covers every id of the domain and of the bundled models, in both languages,
//! agrees with the other places that name the same things, and draws with the bundled font.

use std::collections::BTreeMap;

use super::*;
use crate::domain::checklist::ItemStatus;
use crate::domain::decision::{DecisionKind, DecisionStatus};
use crate::domain::gate::{GateOutcome, GateRule};
use crate::domain::petition::Channel;
use crate::domain::resolution::Outcome;
use crate::scoring::assessment::EvidenceSource;
use crate::scoring::bundled_models;
use crate::scoring::model::{EvidenceRule, Method};
use crate::scoring::quality::{QualityCode, Severity};
use crate::scoring::spec::{PetitionIndicator, Phase};

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{303f}' | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{ff00}'..='\u{ffef}')
}

/// Each list names every variant: the match without a wildcard stops compiling when one is added.
fn every_id() -> Vec<(Group, String)> {
    let mut ids = Vec::new();
    let mut push = |group: Group, id: String| ids.push((group, id));
    use DecisionKind as K;
    for k in [
        K::LandRequisition,
        K::HouseExpropriation,
        K::EnterpriseRestructuring,
        K::MajorProject,
        K::Other,
    ] {
        match k {
            K::LandRequisition
            | K::HouseExpropriation
            | K::EnterpriseRestructuring
            | K::MajorProject
            | K::Other => {}
        }
        push(Group::DecisionKinds, k.as_str().to_owned());
    }
    use DecisionStatus as S;
    for s in [
        S::Draft,
        S::Assessing,
        S::Assessed,
        S::Decided,
        S::Implementing,
        S::Closed,
    ] {
        match s {
            S::Draft | S::Assessing | S::Assessed | S::Decided | S::Implementing | S::Closed => {}
        }
        push(Group::DecisionStatuses, s.as_str().to_owned());
    }
    for m in [Method::Index, Method::Fuzzy] {
        match m {
            Method::Index | Method::Fuzzy => {}
        }
        push(Group::Methods, serde_id(&m));
    }
    for l in [Level::Low, Level::Medium, Level::High] {
        push(Group::Levels, l.as_str().to_owned());
    }
    for r in [GateRule::Ndrc2492, GateRule::MajorDecision] {
        match r {
            GateRule::Ndrc2492 | GateRule::MajorDecision => {}
        }
        push(Group::GateRules, r.as_str().to_owned());
    }
    use GateOutcome as G;
    for g in [
        G::NotApproved,
        G::ApprovableWithControls,
        G::DoNotImplement,
        G::ImplementAfterMitigation,
        G::MayImplement,
    ] {
        match g {
            G::NotApproved
            | G::ApprovableWithControls
            | G::DoNotImplement
            | G::ImplementAfterMitigation
            | G::MayImplement => {}
        }
        push(Group::GateOutcomes, serde_id(&g));
    }
    for o in [
        Outcome::Implement,
        Outcome::ImplementAfterMitigation,
        Outcome::Postpone,
        Outcome::Reject,
    ] {
        push(Group::ResolutionOutcomes, o.as_str().to_owned());
    }
    use ItemStatus as I;
    for i in [I::Planned, I::InProgress, I::Done, I::Verified] {
        match i {
            I::Planned | I::InProgress | I::Done | I::Verified => {}
        }
        push(Group::ChecklistStatuses, i.as_str().to_owned());
    }
    use Phase as P;
    for p in [
        P::BeforeDecision,
        P::BeforeImplementation,
        P::DuringImplementation,
        P::AfterImplementation,
    ] {
        match p {
            P::BeforeDecision
            | P::BeforeImplementation
            | P::DuringImplementation
            | P::AfterImplementation => {}
        }
        push(Group::MeasurePhases, serde_id(&p));
    }
    use EvidenceSource as E;
    for e in [
        E::Expert,
        E::Attribute,
        E::Petition,
        E::Ledger,
        E::Stated,
        E::Assumed,
    ] {
        match e {
            E::Expert | E::Attribute | E::Petition | E::Ledger | E::Stated | E::Assumed => {}
        }
        push(Group::EvidenceSources, serde_id(&e));
    }
    for s in [Severity::Info, Severity::Warning, Severity::Serious] {
        match s {
            Severity::Info | Severity::Warning | Severity::Serious => {}
        }
        push(Group::Severities, serde_id(&s));
    }
    use QualityCode as Q;
    for q in [
        Q::MissingEvidence,
        Q::EvidenceFallback,
        Q::Unrated,
        Q::FewExperts,
        Q::ExpertsDisagree,
        Q::NoPublicNotice,
        Q::PublicNoticeTooShort,
        Q::NoSupportSurvey,
        Q::HearingNotHeld,
        Q::SurveySampleTooSmall,
        Q::ConcernsOpen,
        Q::ConcernsOverdue,
    ] {
        match q {
            Q::MissingEvidence
            | Q::EvidenceFallback
            | Q::Unrated
            | Q::FewExperts
            | Q::ExpertsDisagree
            | Q::NoPublicNotice
            | Q::PublicNoticeTooShort
            | Q::NoSupportSurvey
            | Q::HearingNotHeld
            | Q::SurveySampleTooSmall
            | Q::ConcernsOpen
            | Q::ConcernsOverdue => {}
        }
        push(Group::Quality, serde_id(&q));
    }
    use PetitionIndicator as N;
    for n in [
        N::Count,
        N::RatePer1000,
        N::RatioToParent,
        N::Trend,
        N::CollectiveCount,
        N::CollectiveHeadcount,
        N::RepeatShare,
        N::EscalatedShare,
        N::OverdueShare,
        N::DissatisfiedShare,
        N::SpikeMonths,
    ] {
        push(Group::PetitionIndicators, n.name().to_owned());
    }
    for c in Channel::ALL {
        push(Group::PetitionChannels, c.as_str().to_owned());
    }
    for b in ["true", "false"] {
        push(Group::Booleans, b.to_owned());
    }
    for unit in [
        "days",
        "months",
        "people",
        "households",
        "workers",
        "petitions",
        "concerns",
        "money",
    ] {
        push(Group::Units, unit.to_owned());
    }
    // The attributes the consultation checks read (src/scoring/quality.rs).
    for a in ["public_notice_days", "support_rate", "hearing_held"] {
        push(Group::Attributes, a.to_owned());
    }
    // The attributes the consultation records and the ledger give (src/app/consultations.rs,
    // src/app/ledger_evidence.rs).
    for a in [
        "oppose_rate",
        "survey_margin",
        "concerns_open",
        "concerns_overdue",
    ] {
        push(Group::Attributes, a.to_owned());
    }
    use crate::domain::concern::{Channel as ConcernChannel, ConcernState, Satisfaction};
    use crate::scoring::spec::LedgerIndicator as L;
    for l in [L::OpenShare, L::OverdueShare, L::DissatisfiedShare] {
        match l {
            L::OpenShare | L::OverdueShare | L::DissatisfiedShare => {}
        }
        push(Group::LedgerIndicators, l.name().to_owned());
    }
    for c in ConcernChannel::ALL {
        push(Group::ConcernChannels, c.as_str().to_owned());
    }
    for s in ConcernState::ALL {
        push(Group::ConcernStates, s.as_str().to_owned());
    }
    for s in ConcernState::ALL {
        for a in s.allowed() {
            push(Group::ConcernActions, a.as_str().to_owned());
        }
    }
    for s in [
        Satisfaction::Satisfied,
        Satisfaction::BasicallySatisfied,
        Satisfaction::Dissatisfied,
    ] {
        push(Group::Satisfaction, s.as_str().to_owned());
    }
    for k in crate::domain::consultation::KINDS {
        push(Group::ConsultationKinds, k.to_owned());
    }
    for t in crate::ledger::vocabulary::VOCABULARY.topics.keys() {
        push(Group::ConcernTopics, t.clone());
    }
    ids
}

#[test]
fn every_id_of_the_domain_has_a_label_in_both_languages() {
    let vocabulary: Vocabulary = toml::from_str(LABELS_TOML).unwrap();
    for group in Group::ALL {
        assert!(
            vocabulary.groups.contains_key(group.key()),
            "group {}",
            group.key()
        );
    }
    for (group, id) in every_id() {
        let l = label(group, &id).unwrap_or_else(|| panic!("no label for {id} in {}", group.key()));
        assert!(!l.zh.is_empty() && !l.en.is_empty(), "{id}");
    }
    for (group, labels) in &vocabulary.groups {
        for (id, l) in labels {
            assert!(
                !l.en.chars().any(is_cjk),
                "{group}.{id}: Chinese in the English {}",
                l.en
            );
            // Placeholders and the index R are the only Latin letters of the Chinese words.
            let outside: String =
                l.zh.split('{')
                    .map(|part| part.split_once('}').map_or(part, |(_, rest)| rest))
                    .collect();
            let outside = outside.replace("R ", "");
            assert!(
                !outside.chars().any(|c| c.is_ascii_alphabetic()),
                "{group}.{id}: Latin in the Chinese {}",
                l.zh
            );
        }
    }
}

#[test]
fn the_labels_agree_with_the_words_the_domain_records() {
    use GateOutcome as G;
    for g in [
        G::NotApproved,
        G::ApprovableWithControls,
        G::DoNotImplement,
        G::ImplementAfterMitigation,
        G::MayImplement,
    ] {
        let (zh, en) = g.words();
        assert_eq!(Lang::Zh.word_of(Group::GateOutcomes, &g), zh);
        assert_eq!(Lang::En.word_of(Group::GateOutcomes, &g), en);
    }
    for o in [
        Outcome::Implement,
        Outcome::ImplementAfterMitigation,
        Outcome::Postpone,
        Outcome::Reject,
    ] {
        assert_eq!(Lang::Zh.word(Group::ResolutionOutcomes, o.as_str()), o.zh());
    }
    assert_eq!(
        Lang::Zh.word(Group::GateRules, GateRule::Ndrc2492.as_str()),
        GateRule::Ndrc2492.zh()
    );
    assert_eq!(
        Lang::Zh.word(Group::GateRules, GateRule::MajorDecision.as_str()),
        GateRule::MajorDecision.zh()
    );
}

#[test]
fn petition_categories_and_channels_are_named_as_the_petition_vocabulary_names_them() {
    #[derive(serde::Deserialize)]
    struct Vocabulary {
        categories: BTreeMap<String, Vec<String>>,
        channels: BTreeMap<String, Vec<String>>,
    }
    let v: Vocabulary =
        toml::from_str(include_str!("../../assets/petition-vocabulary.toml")).unwrap();
    for (group, names) in [
        (Group::PetitionCategories, &v.categories),
        (Group::PetitionChannels, &v.channels),
    ] {
        for (id, synonyms) in names {
            let l = label(group, id).unwrap_or_else(|| panic!("no label for {id}"));
            assert!(
                synonyms.contains(&l.zh),
                "{id}: {} is not a name the vocabulary lists",
                l.zh
            );
        }
    }
}

#[test]
fn everything_the_bundled_models_name_by_id_has_a_label() {
    for model in bundled_models().unwrap() {
        let spec = model.spec();
        for factor in &spec.factors {
            match &factor.evidence {
                EvidenceRule::Expert => {}
                EvidenceRule::Attribute(a) => {
                    assert!(
                        label(Group::Attributes, &a.attribute).is_some(),
                        "{}: attribute {}",
                        spec.id,
                        a.attribute
                    );
                }
                EvidenceRule::Ledger(l) => {
                    assert!(label(Group::LedgerIndicators, l.indicator.name()).is_some());
                    for t in &l.topics {
                        assert!(
                            crate::ledger::vocabulary::VOCABULARY.knows_topic(t),
                            "{}: topic {t}",
                            spec.id
                        );
                        assert!(label(Group::ConcernTopics, t).is_some());
                    }
                }
                EvidenceRule::Petition(p) => {
                    assert!(label(Group::PetitionIndicators, p.indicator.name()).is_some());
                    for c in &p.categories {
                        assert!(
                            label(Group::PetitionCategories, c).is_some(),
                            "{}: category {c}",
                            spec.id
                        );
                    }
                }
            }
        }
        assert!(label(Group::DecisionKinds, &serde_id(&spec.kind)).is_some());
        // The provenance a report shows (chapter 2) is in each language's words.
        let mut shown = spec.provenance.clone();
        shown.push(spec.levels.provenance.clone());
        shown.push(spec.grades.probability.provenance.clone());
        shown.push(spec.grades.impact.provenance.clone());
        for text in shown {
            let zh = Lang::Zh.provenance(&text);
            assert!(
                !zh.replace("docs/design.md", "")
                    .chars()
                    .any(|c| c.is_ascii_alphabetic()),
                "{}: {zh}",
                spec.id
            );
            let en = Lang::En.provenance(&text);
            let cite = vocabulary()
                .provenance
                .iter()
                .find(|p| p.text == text)
                .and_then(|p| p.cite.clone());
            let outside = en.replace(cite.as_deref().unwrap_or("\u{0}"), "");
            assert!(!outside.chars().any(is_cjk), "{}: {en}", spec.id);
        }
    }
}

#[test]
fn provenance_of_a_model_not_listed_keeps_its_text_with_the_usual_phrases_translated() {
    let text = "县政府文件：default, confirm locally (DESIGN §4.3)";
    assert_eq!(
        Lang::Zh.provenance(text),
        "县政府文件：默认值，须结合本地实际确认 (docs/design.md 第 4.3 节)"
    );
    assert_eq!(
        Lang::En.provenance(text),
        "县政府文件：default, confirm locally (docs/design.md §4.3)"
    );
    assert_eq!(
        Lang::En.provenance(
            "中办发〔2012〕2号：重大决策社会稳定风险评估，合法性、合理性、可行性、可控性四个维度"
        ),
        "General Offices of the CPC Central Committee and the State Council, document 2012 No. 2: social-stability \
         risk assessment of major decisions, in four dimensions — legality, reasonableness, feasibility, \
         controllability [中办发〔2012〕2号]"
    );
}

#[test]
fn the_bundled_font_draws_every_label() {
    let fonts = crate::reports::fonts::fonts().unwrap();
    let missing: String = fonts.missing([LABELS_TOML]).into_iter().collect();
    assert_eq!(
        missing, "",
        "characters of assets/labels.toml outside the bundled font"
    );
}
