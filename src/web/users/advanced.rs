//! GET /users/advanced: every filter criterion on one page. It submits to /users with GET,
//! so the result stays bookmarkable and can be saved like any other filter.

use crate::domain::catalog::{ItemKind, ItemRow};
use crate::domain::companies::{self, CompanyRow};
use crate::domain::invitations::InvitationStatus;
use crate::domain::roles;
use crate::domain::roles::HeldRole;
use crate::domain::user_list::ShownStatus;
use crate::domain::{CompanyId, ItemId};
use crate::web::current_user::CurrentUser;
use crate::web::errors::WebError;
use crate::web::layout::Layout;
use crate::web::respond::render;
use crate::web::state::AppState;
use crate::web::users::criteria::Criteria;
use crate::web::users::list::scope_of;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

/// A company's catalog as the advanced page lists it.
pub struct CompanyCatalog {
    pub company: CompanyRow,
    pub locations: Vec<ItemRow>,
    pub fields: Vec<(ItemRow, Vec<ItemRow>)>,
    pub product_groups: Vec<ItemRow>,
}

#[derive(Template)]
#[template(path = "users/advanced.html")]
struct AdvancedPage {
    layout: Layout,
    criteria: Criteria,
    roles: Vec<HeldRole>,
    catalogs: Vec<CompanyCatalog>,
    statuses: [ShownStatus; 6],
    invitations: [InvitationStatus; 6],
}

impl AdvancedPage {
    fn has_status(&self, s: &ShownStatus) -> bool {
        self.criteria.filter.statuses.contains(s)
    }

    fn has_role(&self, id: &crate::domain::RoleId) -> bool {
        self.criteria.filter.roles.contains(id)
    }

    fn has_company(&self, id: &CompanyId) -> bool {
        self.criteria.filter.companies.contains(id)
    }

    fn has_invitation(&self, s: &InvitationStatus) -> bool {
        self.criteria.filter.invitation.contains(s)
    }

    fn has_item(&self, id: &ItemId) -> bool {
        self.criteria.access_ids.iter().any(|(_, i)| i == id)
    }

    fn date(&self, key: &str) -> &str {
        self.criteria
            .dates
            .iter()
            .find(|(k, _)| *k == key)
            .map_or("", |(_, v)| v.as_str())
    }

    fn choice(&self, value: &Option<bool>, yes: &str, no: &str) -> String {
        match value {
            Some(true) => yes.to_owned(),
            Some(false) => no.to_owned(),
            None => String::new(),
        }
    }
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    current: CurrentUser,
) -> Result<HttpResponse, WebError> {
    let scope = scope_of(&current)?;
    let criteria = Criteria::parse(req.query_string())?;
    let account = current.account.id;
    let (roles, catalogs) = state
        .db(move |conn| {
            let roles = roles::with_rights(conn, account)?;
            let visible: Vec<CompanyRow> = companies::active_for_account(conn, account)?
                .into_iter()
                .filter(|c| match &scope {
                    crate::domain::user_list::Scope::Account => true,
                    crate::domain::user_list::Scope::Companies(ids) => ids.contains(&c.id),
                })
                .collect();
            let ids: Vec<CompanyId> = visible.iter().map(|c| c.id).collect();
            let items = crate::domain::catalog::active_in(conn, &ids)?;
            let catalogs = visible
                .into_iter()
                .map(|company| {
                    let of = |kind: ItemKind| -> Vec<ItemRow> {
                        items
                            .iter()
                            .filter(|i| i.company_id == company.id && i.kind() == kind)
                            .cloned()
                            .collect()
                    };
                    let fields = of(ItemKind::Field)
                        .into_iter()
                        .map(|field| {
                            let options = items
                                .iter()
                                .filter(|i| i.parent_id == Some(field.id))
                                .cloned()
                                .collect();
                            (field, options)
                        })
                        .collect();
                    CompanyCatalog {
                        locations: of(ItemKind::Location),
                        product_groups: of(ItemKind::ProductGroup),
                        fields,
                        company,
                    }
                })
                .collect();
            Ok((roles, catalogs))
        })
        .await?;
    let page = AdvancedPage {
        layout: current.layout("Advanced filters")?,
        criteria,
        roles,
        catalogs,
        statuses: ShownStatus::ALL,
        invitations: InvitationStatus::ALL,
    };
    Ok(render(StatusCode::OK, &page))
}
