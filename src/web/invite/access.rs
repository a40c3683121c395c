//! The access step of the Invite User wizard: one tab (Locations, Document Custom Fields,
//! Product Groups, Roles) for the company chosen among the Available Companies, or for every
//! chosen company while searching by Name or Code; the Show All Options / Checked Only /
//! Unchecked Only filter; Select All, Unselect All and Apply to All Companies.

use super::wizard::{Choice, Tab, Wizard};
use crate::domain::catalog::ItemRow;
use crate::domain::grants::{self, Catalog};
use crate::domain::memberships::HeldRole;
use crate::domain::{CompanyId, ItemId};
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// At most this many options are drawn per company and tab; search narrows the rest.
pub const MAX_SHOWN: usize = 200;

/// One checkbox.
#[derive(Debug, Clone)]
pub struct Control {
    pub name: String,
    pub value: String,
    pub id: String,
    pub label: String,
    /// The code, or for a role the rights it carries (shown on hover).
    pub detail: String,
    pub checked: bool,
    /// Access to All covers it: drawn checked, not editable, its own choice kept aside.
    pub disabled: bool,
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
    /// Options that match but are not drawn (over MAX_SHOWN).
    pub more: usize,
}

impl Section {
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }
}

pub struct View {
    pub sections: Vec<Section>,
    /// The enabled checkboxes drawn, as (name, value): the form sends them itself.
    pub shown: HashSet<(String, String)>,
}

/// The boxes Select All and Unselect All act on: options and roles (not Access to All or a
/// field's Select All).
const LISTED: [&str; 4] = ["loc", "pg", "opt", "role"];

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

/// Reads what `View::drawn` wrote.
pub fn parse_drawn(value: &str) -> Vec<(String, String)> {
    value
        .split_whitespace()
        .filter_map(|b| b.split_once(':'))
        .filter(|(name, _)| {
            super::wizard::split_company_field(name).is_some_and(|(f, _)| LISTED.contains(&f))
        })
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect()
}

fn matches(search: &str, item: &ItemRow) -> bool {
    search.is_empty()
        || item.name.to_lowercase().contains(search)
        || item.code.to_lowercase().contains(search)
}

struct Builder<'a> {
    wizard: &'a Wizard,
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
            if options.len() >= MAX_SHOWN {
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
                if drawn >= MAX_SHOWN {
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
            options.push(self.control(
                "role",
                company,
                value,
                role.role.name.clone(),
                role.rights_text(),
                checked,
                false,
            ));
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
    catalogs: &BTreeMap<CompanyId, Catalog>,
    roles: &[HeldRole],
    names: &BTreeMap<CompanyId, String>,
) -> View {
    let mut b = Builder {
        wizard,
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

/// Every option of a field with Select All counts as ticked, so the form draws (or carries)
/// them all and an option unticked later can be told apart; the options the form knows
/// under each such field are noted, so one added or restored meanwhile is not taken for an
/// untick.
pub fn complete_fields(wizard: &mut Wizard, catalogs: &BTreeMap<CompanyId, Catalog>) {
    for (company, choice) in wizard.choices.iter_mut() {
        let Some(catalog) = catalogs.get(company) else {
            continue;
        };
        let g = &mut choice.grant;
        let mut knew = BTreeSet::new();
        for field in catalog
            .fields
            .iter()
            .filter(|f| g.fields_all.contains(&f.field.id))
        {
            g.options.extend(field.options.iter().map(|o| o.id));
            knew.extend(field.options.iter().map(|o| o.id));
        }
        choice.knew = knew;
    }
}

/// Reads the access step's post. Items and roles no longer offered (archived or deleted
/// meanwhile) are dropped: returns whether any of them counted (not one set aside under
/// Access to All), so the form can say so. A field's Select All is read against its options
/// as the form sent them: an option unticked under Select All turns it off (the others
/// stay); Select All unticked unticks its options; Select All ticked checks them all.
pub fn read_post(
    wizard: &mut Wizard,
    catalogs: &BTreeMap<CompanyId, Catalog>,
    roles: &[HeldRole],
) -> bool {
    let mut lost = false;
    for (company, choice) in wizard.choices.iter_mut() {
        let Some(catalog) = catalogs.get(company) else {
            continue;
        };
        lost |= choice.grant.keep_offered(catalog);
        let before = choice.grant.roles.len();
        choice
            .grant
            .roles
            .retain(|r| roles.iter().any(|held| held.role.id == *r));
        lost |= choice.grant.roles.len() < before;
        let g = &mut choice.grant;
        for field in &catalog.fields {
            let id = field.field.id;
            let was = choice.was_all.contains(&id);
            if g.fields_all.contains(&id) {
                let unticked = field
                    .options
                    .iter()
                    .any(|o| choice.knew.contains(&o.id) && !g.options.contains(&o.id));
                if was && unticked {
                    g.fields_all.remove(&id);
                }
            } else if was {
                for option in &field.options {
                    g.options.remove(&option.id);
                }
            }
        }
        choice.was_all.clear();
    }
    complete_fields(wizard, catalogs);
    lost
}

/// Select All (`on`) or Unselect All: the options and roles the form drew and let change.
/// Unticking an option also turns its field's Select All off. Returns how many it touched.
pub fn select_all(wizard: &mut Wizard, catalogs: &BTreeMap<CompanyId, Catalog>, on: bool) -> usize {
    let drawn = std::mem::take(&mut wizard.drawn_boxes);
    for (name, value) in &drawn {
        let Some((field, company)) = super::wizard::split_company_field(name) else {
            continue;
        };
        if !wizard.chose(&company) {
            continue;
        }
        let choice = wizard.choices.entry(company).or_default();
        choice.set(field, value, on);
        if !on && field == "opt" {
            let option = value.parse::<i64>().ok().map(ItemId);
            let parent = catalogs.get(&company).and_then(|c| {
                c.fields
                    .iter()
                    .find(|f| f.options.iter().any(|o| Some(o.id) == option))
            });
            if let Some(parent) = parent {
                choice.grant.fields_all.remove(&parent.field.id);
            }
        }
    }
    drawn.len()
}

/// Apply to All Companies: the shown company's access carried to every other chosen
/// company. Returns a message: where it went, and per company what had no match by code.
pub fn apply_to_all(
    wizard: &mut Wizard,
    catalogs: &BTreeMap<CompanyId, Catalog>,
    names: &BTreeMap<CompanyId, String>,
) -> String {
    let Some(from) = wizard.at else {
        return String::new();
    };
    let (Some(source), Some(from_name)) = (catalogs.get(&from), names.get(&from)) else {
        return String::new();
    };
    let grant = wizard.choice(&from).grant;
    let mut unmatched = Vec::new();
    let mut reached = Vec::new();
    for company in wizard.companies.clone().into_iter().filter(|c| *c != from) {
        let (Some(target), Some(name)) = (catalogs.get(&company), names.get(&company)) else {
            continue;
        };
        let (carried, missing) = grants::carry(&grant, source, target);
        let choice = wizard.choices.entry(company).or_default();
        choice.grant = carried;
        choice.seen = true;
        reached.push(name.clone());
        if !missing.is_empty() {
            unmatched.push(format!("{name}: {}", missing.join(", ")));
        }
    }
    if reached.is_empty() {
        return "Choose more than one company to apply access to all of them.".into();
    }
    let mut message = format!(
        "{from_name}'s roles, locations, custom fields and product groups were applied to {}.",
        reached.join(", ")
    );
    if unmatched.is_empty() {
        message.push_str(" Everything had a match by code.");
    } else {
        message.push_str(&format!(
            " No match by code (not applied): {}.",
            unmatched.join("; ")
        ));
    }
    message
}
