//! The User Management page's query string, checked: every bad value gets a message that
//! says what is allowed.

use crate::domain::catalog::ItemKind;
use crate::domain::invitations::InvitationStatus;
use crate::domain::two_factor::TwoFactorState;
use crate::domain::user_list::{self, LastAccess, ShownStatus, SortKey, UserFilter};
use crate::domain::{CompanyId, ItemId, RoleId, limits};
use crate::web::errors::{WebError, encode_query_value};
use crate::web::state::AppState;
use serde::Deserialize;
pub const PAGE_SIZES: [i64; 3] = [25, 50, 100];

/// The query string as sent; parsed by `Criteria::parse` so each bad value gets a message.
#[derive(Deserialize, Default)]
pub struct RawQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: Vec<String>,
    #[serde(default)]
    role: Vec<String>,
    #[serde(default)]
    company: Vec<String>,
    #[serde(default)]
    invitation: Vec<String>,
    #[serde(default)]
    missing_required: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    dir: String,
    #[serde(default)]
    page: String,
    #[serde(default)]
    per_page: String,
    #[serde(default)]
    location: Vec<String>,
    #[serde(default)]
    option: Vec<String>,
    #[serde(default)]
    product_group: Vec<String>,
    #[serde(default)]
    two_factor: String,
    #[serde(default)]
    integrated: String,
    #[serde(default)]
    last_access: String,
    #[serde(default)]
    last_access_from: String,
    #[serde(default)]
    last_access_to: String,
    #[serde(default)]
    created_from: String,
    #[serde(default)]
    created_to: String,
    #[serde(default)]
    expires_before: String,
}

/// A date from a date field (YYYY-MM-DD), as the start of that day; `next_day` gives the
/// start of the following day, for inclusive "to" dates.
fn date(
    field: &str,
    text: &str,
    next_day: bool,
) -> Result<Option<chrono::NaiveDateTime>, WebError> {
    if text.is_empty() {
        return Ok(None);
    }
    let day = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        bad(format!(
            "“{text}” is not a date for {field}: use YYYY-MM-DD."
        ))
    })?;
    let day = if next_day {
        day.succ_opt().unwrap_or(day)
    } else {
        day
    };
    Ok(day.and_hms_opt(0, 0, 0))
}

fn ids(
    kind: ItemKind,
    values: &[String],
    label: &str,
) -> Result<Vec<(ItemKind, ItemId)>, WebError> {
    values
        .iter()
        .filter(|v| !v.is_empty())
        .map(|v| {
            v.parse::<i64>()
                .map(|id| (kind, ItemId(id)))
                .map_err(|_| bad(format!("“{v}” is not a {label}.")))
        })
        .collect()
}

/// What the list shows, checked.
pub struct Criteria {
    pub filter: UserFilter,
    /// Catalog items asked for, resolved against the account by `resolve`.
    pub access_ids: Vec<(ItemKind, ItemId)>,
    /// The dates as typed, for links and the advanced form.
    pub dates: [(&'static str, String); 6],
    pub sort: SortKey,
    pub descending: bool,
    pub page: i64,
    pub per_page: i64,
}

/// One advanced criterion as the list shows it.
pub struct Narrowing {
    pub label: String,
    /// The list's query string without it.
    pub without: String,
}

fn bad(message: String) -> WebError {
    WebError::BadRequest(message)
}

impl Criteria {
    pub fn parse(query: &str) -> Result<Self, WebError> {
        let raw: RawQuery = serde_html_form::from_str(query)
            .map_err(|e| bad(format!("The address has a value that cannot be read: {e}")))?;
        let mut filter = UserFilter {
            search: limits::search(&raw.q).map_err(bad)?,
            ..UserFilter::default()
        };
        for status in raw.status.iter().filter(|s| !s.is_empty()) {
            let parsed = ShownStatus::parse(status).ok_or_else(|| {
                let known: Vec<&str> = ShownStatus::ALL.iter().map(|s| s.slug()).collect();
                bad(format!(
                    "There is no status “{status}”. Use one of: {}.",
                    known.join(", ")
                ))
            })?;
            filter.statuses.push(parsed);
        }
        for role in raw.role.iter().filter(|s| !s.is_empty()) {
            let id = role
                .parse::<i64>()
                .map_err(|_| bad(format!("“{role}” is not a role.")))?;
            filter.roles.push(RoleId(id));
        }
        for company in raw.company.iter().filter(|s| !s.is_empty()) {
            let id = company
                .parse::<i64>()
                .map_err(|_| bad(format!("“{company}” is not a company.")))?;
            filter.companies.push(CompanyId(id));
        }
        for invitation in raw.invitation.iter().filter(|s| !s.is_empty()) {
            let Some(status) = InvitationStatus::parse(invitation) else {
                let known: Vec<&str> = InvitationStatus::ALL.map(InvitationStatus::as_str).into();
                return Err(bad(format!(
                    "There is no invitation status “{invitation}”. Use one of: {}.",
                    known.join(", ")
                )));
            };
            filter.invitation.push(status);
        }
        filter.missing_required = matches!(raw.missing_required.as_str(), "1" | "on" | "true");
        let sort = match raw.sort.as_str() {
            "" => SortKey::Name,
            other => SortKey::parse(other)
                .ok_or_else(|| bad(format!("The list cannot be sorted by “{other}”.")))?,
        };
        let descending = match raw.dir.as_str() {
            "" | "asc" => false,
            "desc" => true,
            other => {
                return Err(bad(format!(
                    "“{other}” is not a sort direction: use asc or desc."
                )));
            }
        };
        let page = match raw.page.as_str() {
            "" => 1,
            text => text
                .parse::<i64>()
                .map_err(|_| bad(format!("“{text}” is not a page number.")))?,
        };
        let per_page = match raw.per_page.as_str() {
            "" => PAGE_SIZES[0],
            text => text
                .parse::<i64>()
                .ok()
                .filter(|n| PAGE_SIZES.contains(n))
                .ok_or_else(|| bad(format!("Show 25, 50 or 100 users a page, not “{text}”.")))?,
        };
        filter.two_factor = match raw.two_factor.as_str() {
            "" => None,
            slug => Some(TwoFactorState::parse(slug).ok_or_else(|| {
                bad(format!(
                    "“{slug}” is not a 2FA choice: use on, off or required."
                ))
            })?),
        };
        filter.integrated = match raw.integrated.as_str() {
            "" => None,
            "yes" => Some(true),
            "no" => Some(false),
            other => {
                return Err(bad(format!(
                    "“{other}” is not an integration choice: use yes or no."
                )));
            }
        };
        let from = date("last access", &raw.last_access_from, false)?;
        let to = date("last access", &raw.last_access_to, true)?;
        filter.last_access = match (raw.last_access.as_str(), from, to) {
            ("", _, _) => LastAccess::Any,
            ("never", _, _) => LastAccess::Never,
            ("before", Some(at), _) | ("before", None, Some(at)) => LastAccess::Before(at),
            ("after", Some(at), _) => LastAccess::After(at),
            ("between", Some(from), Some(to)) if from < to => LastAccess::Between(from, to),
            ("between", Some(_), Some(_)) => {
                return Err(bad("The last-access dates are the wrong way round.".into()));
            }
            ("before" | "after" | "between", _, _) => {
                return Err(bad("Give the dates for the last-access filter.".into()));
            }
            (other, _, _) => {
                return Err(bad(format!(
                    "“{other}” is not a last-access choice: use never, before, after or between."
                )));
            }
        };
        filter.created_from = date("created from", &raw.created_from, false)?;
        filter.created_until = date("created to", &raw.created_to, true)?;
        filter.expires_before = date("expires before", &raw.expires_before, false)?;
        let mut access_ids = ids(ItemKind::Location, &raw.location, "location")?;
        access_ids.extend(ids(
            ItemKind::FieldOption,
            &raw.option,
            "custom field option",
        )?);
        access_ids.extend(ids(
            ItemKind::ProductGroup,
            &raw.product_group,
            "product group",
        )?);
        let dates = [
            ("last_access", raw.last_access.clone()),
            ("last_access_from", raw.last_access_from.clone()),
            ("last_access_to", raw.last_access_to.clone()),
            ("created_from", raw.created_from.clone()),
            ("created_to", raw.created_to.clone()),
            ("expires_before", raw.expires_before.clone()),
        ];
        Ok(Criteria {
            filter,
            access_ids,
            dates,
            sort,
            descending,
            page,
            per_page,
        })
    }

    /// Resolves the catalog items of the criteria within the account, and takes the
    /// account's two-factor requirement, which tells Off from Required.
    pub async fn resolve(
        &mut self,
        state: &AppState,
        account: &crate::domain::accounts::AccountRow,
    ) -> Result<(), WebError> {
        self.filter.account_requires_2fa = account.require_2fa;
        let account = account.id;
        let wanted = self.access_ids.clone();
        let resolved = state
            .db(move |conn| Ok(user_list::resolve_access(conn, account, &wanted)?))
            .await?;
        self.filter.access = resolved.map_err(bad)?;
        Ok(())
    }

    /// The advanced criteria in effect, in words, each with the query string without it:
    /// the list shows every criterion that narrows it, and each can be removed there (the
    /// basic ones are in the list's own filter form).
    pub fn advanced(&self) -> Vec<Narrowing> {
        let without =
            |keys: &[&str]| self.query_with(|pairs| pairs.retain(|(k, _)| !keys.contains(k)));
        let typed = |key: &str| {
            self.dates
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let mut out = Vec::new();
        if self.filter.missing_required {
            out.push(Narrowing {
                label: "No access to a required custom field".into(),
                without: without(&["missing_required"]),
            });
        }
        if !self.access_ids.is_empty() {
            let n = self.access_ids.len();
            out.push(Narrowing {
                label: if n == 1 {
                    "Access to 1 chosen location, option or product group".into()
                } else {
                    format!("Access to any of {n} chosen locations, options or product groups")
                },
                without: without(&["location", "option", "product_group"]),
            });
        }
        if let Some(state) = self.filter.two_factor {
            out.push(Narrowing {
                label: format!("2FA: {}", state.label()),
                without: without(&["two_factor"]),
            });
        }
        if let Some(yes) = self.filter.integrated {
            out.push(Narrowing {
                label: if yes {
                    "Integrated only"
                } else {
                    "Not integrated"
                }
                .into(),
                without: without(&["integrated"]),
            });
        }
        let last_access = match self.filter.last_access {
            LastAccess::Any => None,
            LastAccess::Never => Some("Never signed in".to_owned()),
            LastAccess::Before(_) => {
                // The first of the two dates given, as Criteria::parse takes it: a "to" date
                // counts its whole day.
                let from = typed("last_access_from");
                Some(if from.is_empty() {
                    format!("Last access up to {}", typed("last_access_to"))
                } else {
                    format!("Last access before {from}")
                })
            }
            LastAccess::After(_) => {
                Some(format!("Last access after {}", typed("last_access_from")))
            }
            LastAccess::Between(_, _) => Some(format!(
                "Last access from {} to {}",
                typed("last_access_from"),
                typed("last_access_to")
            )),
        };
        if let Some(label) = last_access {
            out.push(Narrowing {
                label,
                without: without(&["last_access", "last_access_from", "last_access_to"]),
            });
        }
        for (key, words) in [
            ("created_from", "Created from"),
            ("created_to", "Created to"),
            ("expires_before", "Account expires before"),
        ] {
            let value = typed(key);
            if !value.is_empty() {
                out.push(Narrowing {
                    label: format!("{words} {value}"),
                    without: without(&[key]),
                });
            }
        }
        out
    }

    /// The query string for these criteria, with one thing changed by `edit`.
    pub fn query_with(&self, edit: impl FnOnce(&mut Vec<(&'static str, String)>)) -> String {
        let mut pairs = self.pairs();
        edit(&mut pairs);
        pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", encode_query_value(v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// These criteria as the query's names and values (the page number aside).
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs: Vec<(&'static str, String)> = Vec::new();
        if !self.filter.search.is_empty() {
            pairs.push(("q", self.filter.search.clone()));
        }
        pairs.extend(
            self.filter
                .statuses
                .iter()
                .map(|s| ("status", s.slug().to_owned())),
        );
        pairs.extend(self.filter.roles.iter().map(|r| ("role", r.0.to_string())));
        pairs.extend(
            self.filter
                .companies
                .iter()
                .map(|c| ("company", c.0.to_string())),
        );
        pairs.extend(
            self.filter
                .invitation
                .iter()
                .map(|i| ("invitation", i.as_str().to_owned())),
        );
        if self.filter.missing_required {
            pairs.push(("missing_required", "1".into()));
        }
        for (kind, id) in &self.access_ids {
            let key = match kind {
                ItemKind::Location => "location",
                ItemKind::ProductGroup => "product_group",
                _ => "option",
            };
            pairs.push((key, id.0.to_string()));
        }
        if let Some(state) = self.filter.two_factor {
            pairs.push(("two_factor", state.slug().into()));
        }
        if let Some(yes) = self.filter.integrated {
            pairs.push(("integrated", if yes { "yes" } else { "no" }.into()));
        }
        pairs.extend(
            self.dates
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| (*k, v.clone())),
        );
        pairs.push(("sort", self.sort.slug().into()));
        pairs.push(("dir", if self.descending { "desc" } else { "asc" }.into()));
        pairs.push(("per_page", self.per_page.to_string()));
        pairs
    }
}
