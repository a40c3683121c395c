//! What the access step's buttons and boxes do to the wizard: reading a post (a field's
//! Select All, items gone meanwhile), roles the inviter may not grant, Select All /
//! Unselect All, Apply to All Companies.

use super::wizard::{MAX_SHOWN, PAGE, Tab, Wizard};
use crate::auth::policy::{self, Actor, Ungrantable};
use crate::domain::RoleId;
use crate::domain::grants::{self, Catalog};
use crate::domain::roles::HeldRole;
use crate::domain::{CompanyId, ItemId};
use std::collections::{BTreeMap, BTreeSet};

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

/// The role and why, when `id` is a role the actor may not grant in `company`; None for one
/// they may grant or one the account no longer has (left to the checks that refuse it).
fn refusal<'a>(
    roles: &'a [HeldRole],
    actor: &Actor,
    company: CompanyId,
    id: RoleId,
) -> Option<(&'a HeldRole, Ungrantable)> {
    let role = roles.iter().find(|r| r.role.id == id)?;
    let refused = policy::may_grant(actor, company, role.rights).err()?;
    Some((role, refused))
}

/// Takes off every chosen role the actor may not grant in its company. The Roles tab draws
/// such a role disabled, so the form could neither send nor untick it: carried on in hidden
/// fields, it would refuse every Invite. Invite itself refuses one all the same.
pub fn drop_ungrantable(wizard: &mut Wizard, roles: &[HeldRole], actor: &Actor) {
    for (company, choice) in wizard.choices.iter_mut() {
        choice
            .grant
            .roles
            .retain(|id| refusal(roles, actor, *company, *id).is_none());
    }
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
            let parent = option
                .zip(catalogs.get(&company))
                .and_then(|(option, c)| c.field_of(option));
            if let Some(parent) = parent {
                choice.grant.fields_all.remove(&parent.field.id);
            }
        }
    }
    drawn.len()
}

/// Apply to All Companies: the shown company's access carried to every other chosen
/// company, except roles the actor may not grant there. Returns a message: where it went,
/// per company what had no match by code, and which roles were not given where.
pub fn apply_to_all(
    wizard: &mut Wizard,
    catalogs: &BTreeMap<CompanyId, Catalog>,
    names: &BTreeMap<CompanyId, String>,
    roles: &[HeldRole],
    actor: &Actor,
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
    let mut refused = Vec::new();
    for company in wizard.companies.clone().into_iter().filter(|c| *c != from) {
        let (Some(target), Some(name)) = (catalogs.get(&company), names.get(&company)) else {
            continue;
        };
        let (mut carried, missing) = grants::carry(&grant, source, target);
        carried
            .roles
            .retain(|id| match refusal(roles, actor, company, *id) {
                Some((role, why)) => {
                    refused.push(why.reason(Some(&role.role.name), name));
                    false
                }
                None => true,
            });
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
    if !refused.is_empty() {
        message.push_str(&format!(" Not applied: {}", refused.join(" ")));
    }
    message
}

/// What the controls are drawn and changed against: the companies' catalogs and names, the
/// account's roles, and who is choosing (the roles they may grant).
pub struct Reach<'a> {
    pub catalogs: &'a BTreeMap<CompanyId, Catalog>,
    pub names: &'a BTreeMap<CompanyId, String>,
    pub roles: &'a [HeldRole],
    pub actor: &'a Actor,
}

/// What a button that does not save does (a search, a tab, a company, Select All, Unselect
/// All, Apply to All Companies, Show more); returns what to tell the person choosing.
pub fn redraw(wizard: &mut Wizard, go: &str, reach: &Reach<'_>) -> String {
    match go {
        "select_all" | "unselect_all" => {
            let on = go == "select_all";
            let n = select_all(wizard, reach.catalogs, on);
            match (n, on) {
                (0, _) => "No options shown to check or uncheck.".to_owned(),
                (1, true) => "Checked the option shown.".to_owned(),
                (1, false) => "Unchecked the option shown.".to_owned(),
                (n, true) => format!("Checked the {n} options shown."),
                (n, false) => format!("Unchecked the {n} options shown."),
            }
        }
        "apply_all" => apply_to_all(
            wizard,
            reach.catalogs,
            reach.names,
            reach.roles,
            reach.actor,
        ),
        "more" => {
            wizard.limit = (wizard.limit + PAGE).min(MAX_SHOWN);
            String::new()
        }
        other => {
            if wizard.view_changed() {
                wizard.first_page();
            }
            if let Some(tab) = other.strip_prefix("tab:").and_then(Tab::parse) {
                wizard.tab = tab;
                wizard.first_page();
            }
            if let Some(company) = other
                .strip_prefix("company:")
                .and_then(|c| c.parse::<i64>().ok())
                .map(CompanyId)
                .filter(|c| wizard.chose(c))
            {
                wizard.at = Some(company);
                wizard.search.clear();
                wizard.first_page();
            }
            String::new()
        }
    }
}
