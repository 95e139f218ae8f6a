//! Who is looking at a page, in which language, and the checks a page makes: signed in (else to the sign-in
//! page and back), the CSRF token of a form, a local address to return to.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};

use super::error::PageError;
use super::i18n::{Lang, Tr};
use crate::domain::principal::{Credential, Principal};
use crate::http::auth::{Caller, caller};

/// The cookie that remembers the reader's language.
pub const LANG_COOKIE: &str = "wenping_lang";

/// The reader of a page: signed in or not, and their language.
pub struct Viewer {
    pub principal: Option<Principal>,
    pub tr: Tr,
    /// The path and query of this page, to come back to after signing in or switching language.
    pub here: String,
    unavailable: bool,
}

impl FromRequest for Viewer {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, actix_web::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let lang = req
            .cookie(LANG_COOKIE)
            .and_then(|c| Lang::parse(c.value()))
            .unwrap_or_default();
        let (principal, unavailable) = match caller(req) {
            Caller::SignedIn(p) => (Some(p), false),
            Caller::Anonymous => (None, false),
            Caller::Unavailable => (None, true),
        };
        let here = match req.uri().path_and_query() {
            Some(pq) => pq.as_str().to_owned(),
            None => req.path().to_owned(),
        };
        ready(Ok(Self {
            principal,
            tr: Tr::new(lang),
            here,
            unavailable,
        }))
    }
}

impl Viewer {
    /// The signed-in caller, or the way to the sign-in page (and back here after).
    pub fn signed_in(&self) -> Result<&Principal, PageError> {
        if self.unavailable {
            return Err(PageError::unavailable(self.tr));
        }
        self.principal.as_ref().ok_or_else(|| PageError::SignIn {
            next: self.here.clone(),
        })
    }

    /// The signed-in caller if their role holds `P`: a form page of a use case the reader may not carry out is
    /// refused as its post would be, not shown to fail later.
    pub fn holding<P: crate::auth::permission::Permission>(&self) -> Result<&Principal, PageError> {
        let principal = self.signed_in()?;
        if !principal.has_any(P::ROLES) {
            return Err(PageError::forbidden(self.tr));
        }
        Ok(principal)
    }

    /// Refuses a form whose CSRF token is not the session's: a page on another site cannot post as the reader.
    pub fn check_csrf(&self, given: &str) -> Result<&Principal, PageError> {
        let principal = self.signed_in()?;
        let ok = match &principal.credential {
            Credential::Session { csrf_token, .. } => same(csrf_token.as_bytes(), given.as_bytes()),
            // An API token is not sent by a browser on its own, so there is nothing to forge.
            Credential::Token { .. } | Credential::Operator => true,
        };
        if ok {
            Ok(principal)
        } else {
            Err(PageError::Forbidden {
                tr: self.tr,
                reason: self.tr.t("error.csrf"),
            })
        }
    }

    /// The session's CSRF token, for the forms of the page.
    pub fn csrf(&self) -> String {
        match self.principal.as_ref().map(|p| &p.credential) {
            Some(Credential::Session { csrf_token, .. }) => csrf_token.clone(),
            _ => String::new(),
        }
    }
}

/// Compared without early exit, so timing reveals nothing of the token.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `next` when it is a path on this site (never another host: `//evil` or `https://…`), else the dashboard.
pub fn local_path(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && !path.chars().any(char::is_control) =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_local_paths_are_returned_to() {
        assert_eq!(
            local_path(Some("/decisions?status=draft")),
            "/decisions?status=draft"
        );
        for hostile in [
            "//evil.example",
            "https://evil.example",
            "/\\evil",
            "evil",
            "/a\nb",
        ] {
            assert_eq!(local_path(Some(hostile)), "/", "{hostile}");
        }
        assert_eq!(local_path(None), "/");
    }
}
