//! The frame every page shares: the title, the navigation the reader's roles may use, who is signed in, the
//! language switch and a notice after a change.

use super::i18n::Tr;
use super::viewer::Viewer;
use crate::auth::permission::{
    ImportPetitions, ManageUsers, Permission, ReadAudit, ReadConcerns, ReadDecisions, ReadPetitions,
};
use crate::domain::principal::Principal;

pub struct NavItem {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

/// A message shown at the top of a page after a change (saved, refused …).
pub struct Notice {
    /// `ok` or `error`: the page's style for it, and a word for readers who do not see colour.
    pub kind: &'static str,
    pub text: String,
}

pub struct Layout {
    pub tr: Tr,
    pub title: String,
    pub user: Option<String>,
    pub roles: String,
    pub csrf: String,
    pub nav: Vec<NavItem>,
    /// Where the language switch leads, and its label (the other language's name, in that language).
    pub switch_href: String,
    pub switch_label: &'static str,
    pub notice: Option<Notice>,
    pub css_url: String,
    pub js_url: String,
    /// Seconds after which the page reloads itself (an import's progress), if any.
    pub refresh: Option<u32>,
}

fn holds<P: Permission>(principal: &Principal) -> bool {
    principal.has_any(P::ROLES)
}

impl Layout {
    /// The frame of a page titled by the word `title_key`, with `section` marked current in the navigation.
    pub fn new(viewer: &Viewer, title: String, section: &str) -> Self {
        let tr = viewer.tr;
        let mut nav = Vec::new();
        if let Some(p) = &viewer.principal {
            let items: [(&'static str, &str, bool); 6] = [
                ("/", "nav.dashboard", true),
                ("/decisions", "nav.decisions", holds::<ReadDecisions>(p)),
                (
                    "/petitions",
                    "nav.petitions",
                    holds::<ReadPetitions>(p) || holds::<ImportPetitions>(p),
                ),
                ("/concerns", "nav.ledger", holds::<ReadConcerns>(p)),
                (
                    "/admin",
                    "nav.admin",
                    holds::<ManageUsers>(p) || holds::<ReadAudit>(p),
                ),
                ("/account", "nav.account", true),
            ];
            for (href, key, allowed) in items {
                if allowed {
                    nav.push(NavItem {
                        href,
                        label: tr.t(key),
                        current: key == section,
                    });
                }
            }
        }
        let (other, switch_label) = if tr.is_zh() {
            ("en", "English")
        } else {
            ("zh", "中文")
        };
        Self {
            tr,
            title,
            user: viewer.principal.as_ref().map(|p| p.username.clone()),
            roles: viewer
                .principal
                .as_ref()
                .map(|p| {
                    p.roles
                        .iter()
                        .map(|r| tr.t(&format!("role.{}", r.as_str())))
                        .collect::<Vec<_>>()
                        .join("、")
                })
                .unwrap_or_default(),
            csrf: viewer.csrf(),
            nav,
            switch_href: format!("/lang/{other}?next={}", super::url_encode(&viewer.here)),
            switch_label,
            notice: None,
            css_url: super::assets::url("app.css"),
            js_url: super::assets::url("app.js"),
            refresh: None,
        }
    }

    pub fn with_notice(mut self, kind: &'static str, text: String) -> Self {
        self.notice = Some(Notice { kind, text });
        self
    }
}
