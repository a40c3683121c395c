//! Locations, Document Custom Fields (with Options) and Product Groups of a company. One set
//! of handlers for the four kinds; the kind comes from the URL.

use crate::auth::policy::{Action, Permit, Target};
use crate::domain::catalog::{self, ItemInput, ItemKind, ItemRow, ListQuery};
use crate::domain::companies::{self, CompanyRow};
use crate::domain::paging::{DEFAULT_PER_PAGE, Page, PageRequest};
use crate::domain::{CompanyId, Error, FieldErrors, ItemId, limits};
use crate::web::csrf::CsrfForm;
use crate::web::current_user::CurrentUser;
use crate::web::errors::{WebError, encode_query_value};
use crate::web::layout::Layout;
use crate::web::respond::{redirect, render};
use crate::web::session::FlashKind;
use crate::web::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

mod item;

pub use item::{change_state, confirm_delete, create_option, edit, update};

#[derive(Deserialize)]
pub struct KindPath {
    company: i64,
    kind: String,
}

#[derive(Deserialize)]
pub struct ItemPath {
    company: i64,
    kind: String,
    id: i64,
}

#[derive(Deserialize)]
pub struct StatePath {
    company: i64,
    kind: String,
    id: i64,
    action: String,
}

#[derive(Deserialize, Default)]
pub struct ListParams {
    q: Option<String>,
    page: Option<i64>,
    archived: Option<String>,
}

impl ListParams {
    /// What to list; a search too long to be a name or code is refused with its reason.
    fn query(&self) -> Result<ListQuery, WebError> {
        let search =
            limits::search(self.q.as_deref().unwrap_or_default()).map_err(WebError::BadRequest)?;
        Ok(ListQuery {
            search,
            archived: self.archived.as_deref() == Some("1"),
        })
    }

    fn page(&self) -> PageRequest {
        PageRequest::new(self.page, DEFAULT_PER_PAGE)
    }
}

#[derive(Deserialize, Default)]
pub struct ItemForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    code: String,
    required: Option<String>,
}

impl ItemForm {
    fn input(&self) -> ItemInput {
        ItemInput {
            name: self.name.clone(),
            code: self.code.clone(),
            required: self.required.is_some(),
        }
    }

    fn from_item(item: &ItemRow) -> Self {
        Self {
            name: item.name.clone(),
            code: item.code.clone(),
            required: item.required.then(|| "on".into()),
        }
    }
}

/// The list of one kind (or a field's options), with its search, pages and add form.
pub struct ListView {
    pub kind: ItemKind,
    pub base: String,
    pub items: Page<ItemRow>,
    pub search: String,
    pub archived: bool,
}

impl ListView {
    /// The link to another page of this list, keeping the search.
    pub fn page_link(&self, page: i64) -> String {
        let mut link = format!(
            "{}?page={page}&q={}",
            self.base,
            encode_query_value(&self.search)
        );
        if self.archived {
            link.push_str("&archived=1");
        }
        link
    }
}

#[derive(Template)]
#[template(path = "config/catalog_list.html")]
struct ListPage<'a> {
    layout: Layout,
    company: CompanyRow,
    multi_company: bool,
    list: ListView,
    form: &'a ItemForm,
    errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "config/catalog_edit.html")]
struct EditPage<'a> {
    layout: Layout,
    company: CompanyRow,
    multi_company: bool,
    item: ItemRow,
    form: &'a ItemForm,
    errors: FieldErrors,
    options: Option<ListView>,
    option_form: &'a ItemForm,
    option_errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "config/choose_company.html")]
struct ChooseCompanyPage {
    layout: Layout,
    kind: ItemKind,
    companies: Vec<CompanyRow>,
}

/// A listed kind from the URL; options are reached through their field.
fn listed_kind(slug: &str) -> Result<ItemKind, WebError> {
    ItemKind::from_slug(slug)
        .filter(|k| *k != ItemKind::FieldOption)
        .ok_or(WebError::NotFound)
}

fn any_kind(slug: &str) -> Result<ItemKind, WebError> {
    ItemKind::from_slug(slug).ok_or(WebError::NotFound)
}

/// The company, if it is the actor's account's and they may configure it, with the permit
/// to change its catalog.
async fn company_for(
    state: &AppState,
    current: &CurrentUser,
    id: i64,
) -> Result<(CompanyRow, Permit), WebError> {
    let account = current.account.id;
    let company = state
        .db(move |conn| Ok(companies::find(conn, account, CompanyId(id))?))
        .await?;
    let permit = current.authorize(Action::ManageConfig, Target::Company(account, company.id))?;
    Ok((company, permit))
}

async fn item_for(
    state: &AppState,
    company: &CompanyRow,
    kind: ItemKind,
    id: i64,
) -> Result<ItemRow, WebError> {
    let company_id = company.id;
    let item = state
        .db(move |conn| Ok(catalog::find(conn, company_id, ItemId(id))?))
        .await?;
    if item.kind() != kind {
        return Err(WebError::NotFound);
    }
    Ok(item)
}

fn list_base(company: &CompanyRow, kind: ItemKind) -> String {
    format!("/config/companies/{}/{}", company.id, kind.slug())
}

fn item_link(item: &ItemRow) -> String {
    format!(
        "/config/companies/{}/{}/{}",
        item.company_id,
        item.kind().slug(),
        item.id
    )
}

async fn load_list(
    state: &AppState,
    company: &CompanyRow,
    kind: ItemKind,
    parent: Option<ItemId>,
    params: &ListParams,
    base: String,
) -> Result<ListView, WebError> {
    let (company_id, query, page) = (company.id, params.query()?, params.page());
    let (search, archived) = (query.search.clone(), query.archived);
    let items = state
        .db(move |conn| Ok(catalog::list(conn, company_id, kind, parent, &query, page)?))
        .await?;
    Ok(ListView {
        kind,
        base,
        items,
        search,
        archived,
    })
}

/// GET /config/{kind}: straight to the only company, or a choice of companies.
pub async fn choose_company(
    state: web::Data<AppState>,
    current: CurrentUser,
    kind: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let kind = listed_kind(&kind)?;
    let account = current.account.id;
    let all = state
        .db(move |conn| Ok(companies::active_for_account(conn, account)?))
        .await?;
    let companies: Vec<CompanyRow> = all
        .into_iter()
        .filter(|c| {
            current
                .authorize(Action::ManageConfig, Target::Company(account, c.id))
                .is_ok()
        })
        .collect();
    match companies.as_slice() {
        [] => Err(WebError::Forbidden(
            "You do not have the right to configure any company.".into(),
        )),
        [only] => Ok(redirect(&list_base(only, kind))),
        _ => {
            let page = ChooseCompanyPage {
                layout: current.layout(kind.plural())?,
                kind,
                companies,
            };
            Ok(render(StatusCode::OK, &page))
        }
    }
}

async fn list_page(
    state: &AppState,
    current: &CurrentUser,
    company: CompanyRow,
    kind: ItemKind,
    params: &ListParams,
    form: &ItemForm,
    errors: FieldErrors,
) -> Result<HttpResponse, WebError> {
    let list = load_list(
        state,
        &company,
        kind,
        None,
        params,
        list_base(&company, kind),
    )
    .await?;
    let status = crate::web::respond::form_status(&errors);
    let page = ListPage {
        layout: current.layout(kind.plural())?,
        multi_company: current.actor.account_companies > 1,
        company,
        list,
        form,
        errors,
    };
    Ok(render(status, &page))
}

pub async fn list(
    state: web::Data<AppState>,
    current: CurrentUser,
    path: web::Path<KindPath>,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, WebError> {
    let kind = listed_kind(&path.kind)?;
    let (company, _) = company_for(&state, &current, path.company).await?;
    list_page(
        &state,
        &current,
        company,
        kind,
        &params,
        &ItemForm::default(),
        FieldErrors::default(),
    )
    .await
}

pub async fn create(
    state: web::Data<AppState>,
    current: CurrentUser,
    path: web::Path<KindPath>,
    CsrfForm(form): CsrfForm<ItemForm>,
) -> Result<HttpResponse, WebError> {
    let kind = listed_kind(&path.kind)?;
    let (company, permit) = company_for(&state, &current, path.company).await?;
    let (input, permit, company_id) = (form.input(), permit, company.id);
    match state
        .db(move |conn| {
            Ok(catalog::create(
                conn, company_id, kind, None, &input, &permit,
            ))
        })
        .await?
    {
        Ok(item) => {
            let mut message = format!("{} {} added.", kind.singular(), item.name);
            if kind == ItemKind::Field {
                message.push_str(
                    " Everyone in the company has Select All on it. Add its options below.",
                );
                current.flash(FlashKind::Success, message);
                return Ok(redirect(&item_link(&item)));
            }
            current.flash(FlashKind::Success, message);
            Ok(redirect(&list_base(&company, kind)))
        }
        Err(Error::Invalid(errors)) => {
            list_page(
                &state,
                &current,
                company,
                kind,
                &ListParams::default(),
                &form,
                errors,
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}
