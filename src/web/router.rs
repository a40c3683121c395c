//! How a route is mounted: every route says what it needs (`Need`), and the guard that
//! answers for it wraps the route, so a new route cannot be mounted without the policy's
//! answer, and a signed-in page is protected by where it is mounted, not by remembering an
//! extractor. The same list of routes (web::mount) fills the server and the route table
//! (`route_table`) that the tests walk.

use crate::auth::policy::{self, Action, Target};
use crate::web::current_user::CurrentUser;
use crate::web::errors::WebError;
use actix_web::body::BoxBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::{Next, from_fn};
use actix_web::{FromRequest, Handler, HttpMessage, Responder, guard, web};

/// What a route needs before its handler runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Anyone: signing in, one-time links, the health check, the stylesheet.
    Nobody,
    /// Any signed-in user: their own profile, password and sessions, signing out.
    SignedIn,
    /// A signed-in user whom the policy allows the action in at least one company; the
    /// handler then asks about the very company or person it acts on.
    Somewhere(Action),
    /// A signed-in user whom the policy allows the action on the whole account.
    Account(Action),
}

/// One route as mounted: for the tests, which walk every route of the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteInfo {
    pub method: Method,
    pub path: &'static str,
    pub need: Need,
}

/// Where routes go: the server, or the route table.
pub trait Mount {
    fn route<F, Args>(&mut self, method: Method, path: &'static str, need: Need, handler: F)
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static;

    fn get<F, Args>(&mut self, path: &'static str, need: Need, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.route(Method::GET, path, need, handler);
        self
    }

    fn post<F, Args>(&mut self, path: &'static str, need: Need, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.route(Method::POST, path, need, handler);
        self
    }
}

/// Mounts routes on the server, each behind the guard for its need.
pub struct Server<'a>(pub &'a mut web::ServiceConfig);

impl Mount for Server<'_> {
    fn route<F, Args>(&mut self, method: Method, path: &'static str, need: Need, handler: F)
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        // The method guard on the resource, not only on its route: a GET and a POST on one
        // path are two resources, and a request passes over the one of the other method.
        let resource = web::resource(path)
            .guard(guard::Method(method))
            .route(web::route().to(handler));
        if need == Need::Nobody {
            self.0.service(resource);
        } else {
            self.0.service(resource.wrap(from_fn(
                move |req: ServiceRequest, next: Next<BoxBody>| guarded(need, req, next),
            )));
        }
    }
}

/// Collects the routes into a table instead.
#[derive(Default)]
pub struct Table(pub Vec<RouteInfo>);

impl Mount for Table {
    fn route<F, Args>(&mut self, method: Method, path: &'static str, need: Need, _: F)
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.0.push(RouteInfo { method, path, need });
    }
}

/// Every route of the server, in the order they are matched.
pub fn route_table() -> Vec<RouteInfo> {
    let mut table = Table::default();
    crate::web::mount(&mut table);
    table.0
}

/// Signs the user in from their session (or answers as CurrentUser does when it cannot),
/// asks the policy for the route's need, and hands the signed-in user to the handler.
async fn guarded(
    need: Need,
    req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let current = match CurrentUser::load(req.request()).await {
        Ok(current) => current,
        Err(e) => return Ok(req.error_response(e)),
    };
    if let Err(e) = allows(need, &current) {
        return Ok(req.error_response(e));
    }
    req.extensions_mut().insert(current);
    next.call(req).await
}

fn allows(need: Need, current: &CurrentUser) -> Result<(), WebError> {
    let actor = &current.actor;
    match need {
        Need::Nobody | Need::SignedIn => Ok(()),
        Need::Somewhere(action) => {
            policy::reach(actor, action)?;
            Ok(())
        }
        Need::Account(action) => {
            policy::authorize(actor, action, Target::Account(actor.account_id))?;
            Ok(())
        }
    }
}
