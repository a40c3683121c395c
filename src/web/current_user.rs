//! `CurrentUser`: the signed-in user, checked on every request against the database (status,
//! expiry, security stamp) and against the account's idle and absolute timeouts, so a block,
//! a deactivation or "end all sessions" takes effect at the next request everywhere.

use crate::auth::policy::{self, Action, Actor, Permit, Target};
use crate::auth::session_rules;
use crate::domain::accounts::{self, AccountRow};
use crate::domain::memberships::{self, CompanyAccess};
use crate::domain::users::{self, UserRow, UserStatus};
use crate::domain::{sessions, two_factor};
use crate::web::errors::WebError;
use crate::web::layout::Layout;
use crate::web::session::{self, FlashKind};
use crate::web::state::AppState;
use actix_session::{Session, SessionExt};
use actix_web::dev::Payload;
use actix_web::http::Method;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use chrono::TimeDelta;
use futures_util::future::LocalBoxFuture;

#[derive(Clone)]
pub struct CurrentUser {
    pub user: UserRow,
    pub account: AccountRow,
    pub access: Vec<CompanyAccess>,
    pub actor: Actor,
    pub session: Session,
    /// How many administrators the account has; counted only for administrators, who see
    /// the fewer-than-two warning.
    pub admin_count: Option<i64>,
    pub ip: Option<String>,
}

impl CurrentUser {
    pub fn layout(&self, title: impl Into<String>) -> Result<Layout, WebError> {
        Layout::for_user(
            title,
            &self.session,
            &self.user,
            &self.account,
            &self.actor,
            self.admin_count,
        )
    }

    /// Asks the policy; a refusal becomes a 403 page, another account's object a 404.
    pub fn authorize(&self, action: Action, target: Target<'_>) -> Result<Permit, WebError> {
        Ok(policy::authorize(&self.actor, action, target)?)
    }

    /// The permit every user has for their own account: password, sessions, saved filters.
    pub fn own(&self) -> Permit {
        policy::own(&self.actor)
    }

    pub fn flash(&self, kind: FlashKind, message: impl Into<String>) {
        session::push_flash(&self.session, kind, message);
    }
}

const SESSION_ENDED: &str = "Your session has ended. Please sign in again.";

/// How often the user's stored last-access time is refreshed.
const LAST_ACCESS_GRANULARITY: TimeDelta = TimeDelta::minutes(5);

/// The signed-in user of a route mounted for signed-in users (web::router): the route's
/// guard loaded and checked them. Asked for on a route mounted for anyone, it is a bug in
/// the route table, answered with a 500 rather than an unchecked user.
impl FromRequest for CurrentUser {
    type Error = WebError;
    type Future = std::future::Ready<Result<Self, WebError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(
            req.extensions()
                .get::<CurrentUser>()
                .cloned()
                .ok_or_else(|| {
                    WebError::Internal(format!(
                        "{} {} asks for the signed-in user but is not mounted for one",
                        req.method(),
                        req.path()
                    ))
                }),
        )
    }
}

impl CurrentUser {
    /// Loads the signed-in user from the session and checks them against the database and
    /// the account's timeouts; what the route guard runs.
    pub fn load(req: &HttpRequest) -> LocalBoxFuture<'static, Result<Self, WebError>> {
        let session = req.get_session();
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let ip = state
            .as_ref()
            .and_then(|s| s.client_ip(req))
            .map(|ip| ip.to_string());
        // Only a page can be returned to after signing in; a form post cannot.
        // Signing out and the password page itself stay open to a user whose pre-assigned
        // password must be changed; every other page sends them there first.
        let password_exempt = matches!(req.path(), crate::web::paths::PASSWORD | "/logout");
        // Likewise, a user who must set up two-factor authentication reaches only its page
        // (and the forms on it) and signing out.
        let enrol_exempt =
            req.path().starts_with(crate::web::paths::TWO_FACTOR) || req.path() == "/logout";
        let next = (req.method() == Method::GET).then(|| {
            let uri = req.uri();
            uri.path_and_query()
                .map_or(uri.path().to_owned(), |pq| pq.as_str().to_owned())
        });
        Box::pin(async move {
            let state = state.ok_or_else(|| WebError::Internal("app state missing".into()))?;
            let ended = |message: &str| {
                session::end(&session);
                session::push_flash(&session, FlashKind::Info, message);
                Err(WebError::SignInRequired { next: next.clone() })
            };
            let Some(signed_in) = session::signed_in(&session) else {
                // Half signed in: the password was right, the code is still to come.
                if session::awaiting_code(&session).is_some() {
                    return Err(WebError::CodeRequired);
                }
                if session::came_ended(&session) {
                    return ended(SESSION_ENDED);
                }
                return Err(WebError::SignInRequired { next: next.clone() });
            };
            let user_id = signed_in.user_id;
            let loaded = state
                .db(move |conn| {
                    let Some(user) = users::find_any_account(conn, user_id)? else {
                        return Ok(None);
                    };
                    let (account, companies, admins) =
                        accounts::find_with_counts(conn, user.account_id)?;
                    let companies = usize::try_from(companies).unwrap_or(0);
                    let access = memberships::access_of(conn, user.id)?;
                    let admins = user.is_account_admin.then_some(admins);
                    Ok(Some((user, account, access, companies, admins)))
                })
                .await?;
            let now = state.clock.now();
            let Some((mut user, account, access, account_companies, admin_count)) = loaded else {
                return ended(SESSION_ENDED);
            };
            let usable = user.security_stamp == signed_in.stamp
                && user.status() == UserStatus::Active
                && !user.is_expired(now.naive_utc());
            // A session loaded from the store always has its row; one without is not ours.
            let Some(row) = session::row(&session).filter(|_| usable) else {
                return ended(SESSION_ENDED);
            };
            if let Err(end) = session_rules::check(
                now,
                row.created_at(),
                row.last_seen_at(),
                account.session_idle_minutes,
                account.session_absolute_minutes,
            ) {
                return ended(end.message());
            }
            // Both times are written only once they are stale, so reading pages is not a
            // write per request.
            let at = now.naive_utc();
            let seen = now - row.last_seen_at() >= sessions::SEEN_GRANULARITY;
            let accessed = user
                .last_access_at
                .is_none_or(|t| at - t >= LAST_ACCESS_GRANULARITY);
            if seen || accessed {
                let id = user.id;
                state
                    .db(move |conn| {
                        if seen {
                            sessions::mark_seen(conn, row.id, at)?;
                        }
                        if accessed {
                            users::touch_last_access(conn, id, at)?;
                        }
                        Ok(())
                    })
                    .await?;
                if accessed {
                    // The page drawn now shows this visit (My Profile's "Last access").
                    user.last_access_at = Some(at);
                }
            }
            if user.must_change_password && !password_exempt {
                return Err(WebError::PasswordChangeRequired);
            }
            // A new password first, then the second factor.
            if two_factor::must_enrol(&user, &account)
                && !enrol_exempt
                && !user.must_change_password
            {
                return Err(WebError::EnrolmentRequired);
            }
            let actor = memberships::actor_of(&user, &access, account_companies, ip.clone(), at);
            Ok(CurrentUser {
                user,
                account,
                access,
                actor,
                session,
                admin_count,
                ip,
            })
        })
    }
}
