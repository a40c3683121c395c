//! GET /users/export.csv: the filtered list as CSV, streamed in batches so a large account
//! never sits in memory.

use crate::domain::UserId;
use crate::domain::user_list::{self, CSV_HEADER, Scope, UserFilter};
use crate::web::current_user::CurrentUser;
use crate::web::errors::WebError;
use crate::web::state::AppState;
use crate::web::users::criteria::Criteria;
use crate::web::users::list::scope_of;
use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::stream;

const BATCH: i64 = 1000;

fn csv_bytes<I: IntoIterator<Item = [String; 10]>>(
    rows: I,
    header_row: bool,
) -> Result<Bytes, WebError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    if header_row {
        writer
            .write_record(CSV_HEADER)
            .map_err(|e| WebError::Internal(e.to_string()))?;
    }
    for row in rows {
        writer
            .write_record(&row)
            .map_err(|e| WebError::Internal(e.to_string()))?;
    }
    let mut bytes = writer
        .into_inner()
        .map_err(|e| WebError::Internal(e.to_string()))?;
    if header_row {
        // A byte-order mark tells spreadsheet programs the file is UTF-8.
        bytes.splice(0..0, "\u{feff}".bytes());
    }
    Ok(Bytes::from(bytes))
}

struct Cursor {
    state: web::Data<AppState>,
    scope: Scope,
    filter: UserFilter,
    account: crate::domain::AccountId,
    after: Option<UserId>,
    first: bool,
}

pub async fn export(
    req: HttpRequest,
    state: web::Data<AppState>,
    current: CurrentUser,
) -> Result<HttpResponse, WebError> {
    let scope = scope_of(&current)?;
    let mut criteria = Criteria::parse(req.query_string())?;
    criteria.resolve(&state, &current.account).await?;
    let cursor = Cursor {
        state: state.clone(),
        scope,
        filter: criteria.filter,
        account: current.account.id,
        after: Some(UserId(0)),
        first: true,
    };
    let body = stream::unfold(cursor, |mut cursor| async move {
        let after = cursor.after?;
        let (scope, filter, account) =
            (cursor.scope.clone(), cursor.filter.clone(), cursor.account);
        let now = cursor.state.clock.now_naive();
        let batch = cursor
            .state
            .db(move |conn| {
                Ok(user_list::batch_after(
                    conn, account, &scope, &filter, after, BATCH, now,
                )?)
            })
            .await;
        let chunk = batch.and_then(|rows| {
            cursor.after = if (rows.len() as i64) < BATCH {
                None
            } else {
                rows.last().map(|r| r.user.id)
            };
            let requires = cursor.filter.account_requires_2fa;
            let cells = rows.iter().map(|row| user_list::csv_cells(row, requires));
            csv_bytes(cells, cursor.first)
        });
        cursor.first = false;
        if chunk.is_err() {
            cursor.after = None;
        }
        Some((chunk.map_err(actix_web::Error::from), cursor))
    });
    let file = format!("users-{}.csv", state.clock.now().format("%Y-%m-%d"));
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file}\""),
        ))
        .streaming(body))
}
