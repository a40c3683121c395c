//! The access step of the Invite User wizard: one tab (Locations, Document Custom Fields,
//! Product Groups, Roles) for the company chosen among the Available Companies, or for every
//! chosen company while searching by Name or Code; the Show All Options / Checked Only /
//! Unchecked Only filter; Select All, Unselect All and Apply to All Companies.

use super::wizard::{Choice, LISTED, MAX_SHOWN, PAGE, Tab, Wizard};
use crate::auth::policy::{self, Actor};
use crate::domain::catalog::ItemRow;
use crate::domain::grants::Catalog;
use crate::domain::roles::HeldRole;
use crate::domain::{CompanyId, ItemId};
use std::collections::{BTreeMap, HashSet};

/// One checkbox.
#[derive(Debug, Clone)]
pub struct Control {
    pub name: String,
    pub value: String,
    pub id: String,
    pub label: String,
    /// The code, or for a role the rights it carries (shown under it).
    pub detail: String,
    pub checked: bool,
    /// Not editable: Access to All covers it (drawn checked, its own choice kept aside), or,
    /// with a `reason`, it is a role the inviter may not grant here.
    pub disabled: bool,
    /// Why a role cannot be granted, shown beside it; empty otherwise.
    pub reason: String,
}

/// A list of options: a custom field with its Select All, or a whole tab's items.
#[derive(Debug, Clone)]
pub struct Group {
    pub title: String,
    pub required: bool,
    pub select_all: Option<Control>,
    pub options: Vec<Control>,
    /// The field has no options yet.
    pub no_options: bool,
}

/// One company in the tab.
#[derive(Debug, Clone)]
pub struct Section {
    pub company: CompanyId,
    pub name: String,
    pub access_all: Option<Control>,
    pub groups: Vec<Group>,
    /// Options that match but are not drawn (over the wizard's limit).
    pub more: usize,
}

impl Section {
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// How many "Show more" would add here (0 when it can add none).
    pub fn next_page(&self, limit: usize) -> usize {
        self.more.min(PAGE).min(MAX_SHOWN.saturating_sub(limit))
    }
}

pub struct View {
    pub sections: Vec<Section>,
    /// The enabled checkboxes drawn, as (name, value): the form sends them itself.
    pub shown: HashSet<(String, String)>,
}

impl View {
    /// The options and roles drawn and editable, as one form value: "loc_3:12 opt_3:40".
    pub fn drawn(&self) -> String {
        let mut boxes: Vec<String> = self
            .shown
            .iter()
            .filter(|(name, _)| {
                super::wizard::split_company_field(name).is_some_and(|(f, _)| LISTED.contains(&f))
            })
            .map(|(name, value)| format!("{name}:{value}"))
            .collect();
        boxes.sort();
        boxes.join(" ")
    }
}

fn matches(search: &str, item: &ItemRow) -> bool {
    search.is_empty()
        || item.name.to_lowercase().contains(search)
        || item.code.to_lowercase().contains(search)
}

struct Builder<'a> {
    wizard: &'a Wizard,
    actor: &'a Actor,
    search: String,
    shown: HashSet<(String, String)>,
}

impl Builder<'_> {
    #[allow(clippy::too_many_arguments)]
    fn control(
        &mut self,
        field: &str,
        company: CompanyId,
        value: String,
        label: String,
        detail: String,
        checked: bool,
        disabled: bool,
    ) -> Control {
        let name = format!("{field}_{company}");
        if !disabled {
            self.shown.insert((name.clone(), value.clone()));
        }
        Control {
            id: format!("{field}-{company}-{value}"),
            name,
            value,
            label,
            detail,
            checked,
            disabled,
            reason: String::new(),
        }
    }

    fn access_all(&mut self, flag: &str, company: CompanyId, what: &str, on: bool) -> Control {
        let mut c = self.control(
            flag,
            company,
            "on".into(),
            format!("Access to All {what}"),
            format!("all {what} of the company, including ones added later"),
            on,
            false,
        );
        // The Access to All boxes keep the ids the wizard always had.
        c.id = format!("{flag}_{company}");
        c
    }

    /// A flat list of items (locations, product groups): those matching search and filter.
    fn items(
        &mut self,
        field: &str,
        company: CompanyId,
        items: &[ItemRow],
        chosen: &std::collections::BTreeSet<ItemId>,
        all: bool,
        section: &mut Section,
    ) {
        let mut options = Vec::new();
        let search = self.search.clone();
        for item in items.iter().filter(|i| matches(&search, i)) {
            let checked = all || chosen.contains(&item.id);
            if !self.wizard.show.keeps(checked) {
                continue;
            }
            let value = item.id.to_string();
            if options.len() >= self.wizard.limit {
                section.more += 1;
                continue;
            }
            let label = item.name.clone();
            options.push(self.control(
                field,
                company,
                value,
                label,
                item.code.clone(),
                checked,
                all,
            ));
        }
        if !options.is_empty() {
            section.groups.push(Group {
                title: String::new(),
                required: false,
                select_all: None,
                options,
                no_options: false,
            });
        }
    }

    fn fields(&mut self, company: CompanyId, catalog: &Catalog, choice: &Choice, s: &mut Section) {
        let g = &choice.grant;
        let mut drawn = 0;
        let search = self.search.clone();
        for field in &catalog.fields {
            let whole = matches(&search, &field.field);
            let field_all = g.all_fields || g.fields_all.contains(&field.field.id);
            let mut options = Vec::new();
            for option in field
                .options
                .iter()
                .filter(|o| whole || matches(&search, o))
            {
                let checked = field_all || g.options.contains(&option.id);
                if !self.wizard.show.keeps(checked) {
                    continue;
                }
                let value = option.id.to_string();
                if drawn >= self.wizard.limit {
                    s.more += 1;
                    continue;
                }
                drawn += 1;
                options.push(self.control(
                    "opt",
                    company,
                    value,
                    option.name.clone(),
                    option.code.clone(),
                    checked,
                    g.all_fields,
                ));
            }
            let no_options = field.options.is_empty();
            if options.is_empty() && !(no_options && whole && self.wizard.show.keeps(field_all)) {
                continue;
            }
            let select_all = self.control(
                "fieldall",
                company,
                field.field.id.to_string(),
                format!("Select All {}", field.field.name),
                "every option, including ones added later".into(),
                field_all,
                g.all_fields,
            );
            s.groups.push(Group {
                title: format!("{} ({})", field.field.name, field.field.code),
                required: field.field.required,
                select_all: Some(select_all),
                options,
                no_options,
            });
        }
    }

    /// A role the inviter may not grant in the company is drawn disabled with the reason.
    fn roles(&mut self, company: CompanyId, roles: &[HeldRole], choice: &Choice, s: &mut Section) {
        let mut options = Vec::new();
        let search = self.search.clone();
        for role in roles
            .iter()
            .filter(|r| search.is_empty() || r.role.name.to_lowercase().contains(&search))
        {
            let checked = choice.grant.roles.contains(&role.role.id);
            if !self.wizard.show.keeps(checked) {
                continue;
            }
            let value = role.role.id.to_string();
            let refused = policy::may_grant(self.actor, company, role.rights).err();
            let mut control = self.control(
                "role",
                company,
                value,
                role.role.name.clone(),
                role.allows_text(),
                checked,
                refused.is_some(),
            );
            if let Some(refused) = refused {
                control.reason = refused.reason(None, &s.name);
            }
            options.push(control);
        }
        if !options.is_empty() {
            s.groups.push(Group {
                title: String::new(),
                required: false,
                select_all: None,
                options,
                no_options: false,
            });
        }
    }
}

/// The access step as the wizard says to show it.
pub fn view(
    wizard: &Wizard,
    actor: &Actor,
    catalogs: &BTreeMap<CompanyId, Catalog>,
    roles: &[HeldRole],
    names: &BTreeMap<CompanyId, String>,
) -> View {
    let mut b = Builder {
        wizard,
        actor,
        search: wizard.search.to_lowercase(),
        shown: HashSet::new(),
    };
    let shown_companies: Vec<CompanyId> = if wizard.search.is_empty() {
        wizard.at.into_iter().collect()
    } else {
        wizard.companies.clone()
    };
    let mut sections = Vec::new();
    for company in shown_companies {
        let (Some(catalog), Some(name)) = (catalogs.get(&company), names.get(&company)) else {
            continue;
        };
        let choice = wizard.choice(&company);
        let g = &choice.grant;
        let mut s = Section {
            company,
            name: name.clone(),
            access_all: None,
            groups: Vec::new(),
            more: 0,
        };
        match wizard.tab {
            Tab::Locations => {
                s.access_all =
                    Some(b.access_all("all_locations", company, "locations", g.all_locations));
                b.items(
                    "loc",
                    company,
                    &catalog.locations,
                    &g.locations,
                    g.all_locations,
                    &mut s,
                );
            }
            Tab::ProductGroups => {
                s.access_all = Some(b.access_all(
                    "all_product_groups",
                    company,
                    "product groups",
                    g.all_product_groups,
                ));
                let (items, chosen, all) = (
                    &catalog.product_groups,
                    &g.product_groups,
                    g.all_product_groups,
                );
                b.items("pg", company, items, chosen, all, &mut s);
            }
            Tab::Fields => {
                s.access_all =
                    Some(b.access_all("all_fields", company, "custom fields", g.all_fields));
                b.fields(company, catalog, &choice, &mut s);
            }
            Tab::Roles => b.roles(company, roles, &choice, &mut s),
        }
        sections.push(s);
    }
    View {
        sections,
        shown: b.shown,
    }
}
