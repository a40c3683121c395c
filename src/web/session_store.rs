//! actix-session's store over the `sessions` table (domain::sessions): the cookie carries
//! only a random key, signed and encrypted; everything else is in the row.

use crate::auth::token;
use crate::clock::Clock;
use crate::db::Pool;
use crate::domain::sessions::{self, Holder};
use crate::web::session::{FRESH, GONE, ROW, RowInfo, SignedIn, USER};
use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::time::Duration;
use std::collections::HashMap;

type State = HashMap<String, String>;

#[derive(Clone)]
pub struct DbSessionStore {
    pool: Pool,
    clock: Clock,
}

impl DbSessionStore {
    pub fn new(pool: Pool, clock: Clock) -> Self {
        Self { pool, clock }
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut crate::db::DbConnection) -> crate::domain::Result<T> + Send + 'static,
    ) -> anyhow::Result<T> {
        let pool = self.pool.clone();
        actix_web::web::block(move || -> anyhow::Result<T> {
            let mut conn = pool.get()?;
            Ok(work(&mut conn)?)
        })
        .await?
    }

    /// A fresh row under a new key. A session whose row was ended while this request ran
    /// keeps its visitor's values only, never its sign-in: ending a session must win.
    async fn save_new(&self, mut state: State, signed_in_kept: bool) -> anyhow::Result<SessionKey> {
        if !signed_in_kept {
            state.remove(USER);
        }
        let (holder, json) = encode(state)?;
        let key = token::random_token();
        let hash = token::hash_token(&key);
        let now = self.clock.now_naive();
        self.run(move |conn| sessions::insert(conn, &hash, &holder, &json, now))
            .await?;
        Ok(SessionKey::try_from(key)?)
    }
}

/// The row's values without the row's own facts, and who holds the session.
fn encode(mut state: State) -> anyhow::Result<(Holder, String)> {
    state.remove(ROW);
    state.remove(GONE);
    state.remove(FRESH);
    let holder = match state.get(USER) {
        Some(json) => {
            let signed_in: SignedIn = serde_json::from_str(json)?;
            Holder {
                user_id: Some(signed_in.user_id),
                ip: signed_in.ip,
                user_agent: signed_in.agent,
            }
        }
        None => Holder::default(),
    };
    Ok((holder, serde_json::to_string(&state)?))
}

impl SessionStore for DbSessionStore {
    async fn load(&self, session_key: &SessionKey) -> Result<Option<State>, LoadError> {
        let hash = token::hash_token(session_key.as_ref());
        let row = self
            .run(move |conn| sessions::find_by_key(conn, &hash))
            .await
            .map_err(LoadError::Other)?;
        let Some(row) = row else {
            // A key we signed but no longer hold: the page can tell the user their session
            // ended. Nothing else of it survives.
            return Ok(Some(State::from([(GONE.to_owned(), "true".to_owned())])));
        };
        let mut state: State =
            serde_json::from_str(&row.state).map_err(|e| LoadError::Deserialization(e.into()))?;
        let info = RowInfo::new(row.id, row.created_at, row.last_seen_at);
        let info = serde_json::to_string(&info).map_err(|e| LoadError::Other(e.into()))?;
        state.insert(ROW.to_owned(), info);
        Ok(Some(state))
    }

    async fn save(&self, state: State, _ttl: &Duration) -> Result<SessionKey, SaveError> {
        // A new key: a first visit, a renewed session, or a sign-in. Only a sign-in made by
        // this very request (session::start marks it) may carry the user; a renewal of a
        // session that was signed out elsewhere meanwhile must not bring it back.
        let signed_in_here = state.contains_key(FRESH);
        self.save_new(state, signed_in_here)
            .await
            .map_err(SaveError::Other)
    }

    async fn update(
        &self,
        session_key: SessionKey,
        state: State,
        _ttl: &Duration,
    ) -> Result<SessionKey, UpdateError> {
        let hash = token::hash_token(session_key.as_ref());
        let (holder, json) = encode(state.clone()).map_err(UpdateError::Serialization)?;
        let now = self.clock.now_naive();
        let kept = self
            .run(move |conn| sessions::update_state(conn, &hash, &holder, &json, now))
            .await
            .map_err(UpdateError::Other)?;
        if kept {
            Ok(session_key)
        } else {
            self.save_new(state, false)
                .await
                .map_err(UpdateError::Other)
        }
    }

    async fn update_ttl(&self, _key: &SessionKey, _ttl: &Duration) -> anyhow::Result<()> {
        // Expiry is the account's idle and absolute limits, checked against the row on each
        // request (web::current_user), and stale rows are removed by `remove_stale`.
        Ok(())
    }

    async fn delete(&self, session_key: &SessionKey) -> anyhow::Result<()> {
        let hash = token::hash_token(session_key.as_ref());
        self.run(move |conn| sessions::delete_by_key(conn, &hash))
            .await
    }
}
