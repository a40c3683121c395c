//! What the Invite User wizard has been told, read from and written back to its form. Every
//! step posts the whole state: what the step shows as controls, the rest as hidden fields.

use crate::domain::grants::Grant;
use crate::domain::invitations::PersonInfo;
use crate::domain::{CompanyId, ItemId, RoleId};
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// How many options are drawn per company and tab at first, and how many more "Show more"
/// adds; search narrows the rest.
pub const PAGE: usize = 200;
/// The most "Show more" reaches: past it, a search is the way (a form this size still posts).
pub const MAX_SHOWN: usize = 5000;
/// The boxes Select All and Unselect All act on: options and roles (not Access to All or a
/// field's Select All).
pub const LISTED: [&str; 4] = ["loc", "pg", "opt", "role"];

/// Reads what `View::drawn` wrote.
pub fn parse_drawn(value: &str) -> Vec<(String, String)> {
    value
        .split_whitespace()
        .filter_map(|b| b.split_once(':'))
        .filter(|(name, _)| split_company_field(name).is_some_and(|(f, _)| LISTED.contains(&f)))
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Emails,
    Companies,
    Info,
    Access,
}

impl Step {
    pub fn parse(value: &str) -> Step {
        match value {
            "companies" => Step::Companies,
            "info" => Step::Info,
            "access" => Step::Access,
            _ => Step::Emails,
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            Step::Emails => "emails",
            Step::Companies => "companies",
            Step::Info => "info",
            Step::Access => "access",
        }
    }
}

/// The tabs of the access step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tab {
    /// First: the choice that matters most (what the person may do, and their seat).
    #[default]
    Roles,
    Locations,
    Fields,
    ProductGroups,
}

impl Tab {
    pub const ALL: [Tab; 4] = [Tab::Roles, Tab::Locations, Tab::Fields, Tab::ProductGroups];

    pub fn parse(value: &str) -> Option<Tab> {
        Tab::ALL.into_iter().find(|t| t.slug() == value)
    }

    pub fn slug(self) -> &'static str {
        match self {
            Tab::Locations => "locations",
            Tab::Fields => "fields",
            Tab::ProductGroups => "product_groups",
            Tab::Roles => "roles",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Tab::Locations => "Locations",
            Tab::Fields => "Document Custom Fields",
            Tab::ProductGroups => "Product Groups",
            Tab::Roles => "Roles",
        }
    }
}

/// The access step's filter: Show All Options / Checked Only / Unchecked Only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Show {
    #[default]
    All,
    Checked,
    Unchecked,
}

impl Show {
    pub const ALL: [Show; 3] = [Show::All, Show::Checked, Show::Unchecked];

    pub fn parse(value: &str) -> Show {
        Show::ALL
            .into_iter()
            .find(|s| s.slug() == value)
            .unwrap_or_default()
    }

    pub fn slug(self) -> &'static str {
        match self {
            Show::All => "all",
            Show::Checked => "checked",
            Show::Unchecked => "unchecked",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Show::All => "Show All Options",
            Show::Checked => "Checked Only",
            Show::Unchecked => "Unchecked Only",
        }
    }

    pub fn keeps(self, checked: bool) -> bool {
        match self {
            Show::All => true,
            Show::Checked => checked,
            Show::Unchecked => !checked,
        }
    }
}

/// One company's access as the wizard holds it.
#[derive(Debug, Clone, Default)]
pub struct Choice {
    pub grant: Grant,
    /// The access step has shown this company: from then on an unticked box is a no, and
    /// nothing is proposed any more.
    pub seen: bool,
    /// Fields whose Select All was on when the form was drawn (to tell "an option was
    /// unticked under Select All" from "Select All was just ticked").
    pub was_all: BTreeSet<ItemId>,
    /// The options of those fields the form knew: one added or restored since is not in
    /// the form, so its absence is not an untick.
    pub knew: BTreeSet<ItemId>,
}

impl Choice {
    /// Sets one form value: `field` is the form name without its company suffix.
    pub fn set(&mut self, field: &str, value: &str, on: bool) {
        let id = value.parse::<i64>().ok();
        let g = &mut self.grant;
        let flip = |set: &mut BTreeSet<ItemId>, id: Option<i64>| {
            if let Some(id) = id.map(ItemId) {
                if on {
                    set.insert(id);
                } else {
                    set.remove(&id);
                }
            }
        };
        match field {
            "role" => {
                if let Some(r) = id.map(RoleId) {
                    if on {
                        g.roles.insert(r);
                    } else {
                        g.roles.remove(&r);
                    }
                }
            }
            "all_locations" => g.all_locations = on && value == "on",
            "all_fields" => g.all_fields = on && value == "on",
            "all_product_groups" => g.all_product_groups = on && value == "on",
            "loc" => flip(&mut g.locations, id),
            "pg" => flip(&mut g.product_groups, id),
            "opt" => flip(&mut g.options, id),
            "fieldall" => flip(&mut g.fields_all, id),
            "wasall" => flip(&mut self.was_all, id),
            // One value for all of them: "12.13.40".
            "knew" => {
                self.knew = value
                    .split('.')
                    .filter_map(|v| v.parse::<i64>().ok().map(ItemId))
                    .collect();
            }
            "seen" => self.seen = on,
            _ => {}
        }
    }

    fn pairs(&self, company: CompanyId, out: &mut Vec<(String, String)>) {
        let g = &self.grant;
        let mut push = |field: &str, value: String| out.push((format!("{field}_{company}"), value));
        if self.seen {
            push("seen", "1".into());
        }
        if !self.knew.is_empty() {
            let knew: Vec<String> = self.knew.iter().map(ItemId::to_string).collect();
            push("knew", knew.join("."));
        }
        for r in &g.roles {
            push("role", r.to_string());
        }
        for (flag, on) in [
            ("all_locations", g.all_locations),
            ("all_fields", g.all_fields),
            ("all_product_groups", g.all_product_groups),
        ] {
            if on {
                push(flag, "on".into());
            }
        }
        for (field, set) in [
            ("loc", &g.locations),
            ("pg", &g.product_groups),
            ("opt", &g.options),
            ("fieldall", &g.fields_all),
            ("wasall", &g.fields_all),
        ] {
            for id in set {
                push(field, id.to_string());
            }
        }
    }
}

/// Everything the wizard has been told so far, and how the access step is being viewed.
#[derive(Debug, Clone, Default)]
pub struct Wizard {
    pub emails: String,
    pub companies: Vec<CompanyId>,
    pub person: PersonInfo,
    pub choices: BTreeMap<CompanyId, Choice>,
    pub send_email: bool,
    /// "Invite User from Other Company": an existing user's address adds them to the chosen
    /// companies they are not in yet.
    pub add_existing: bool,
    /// The last step was shown: from then on an unticked "Send invitation email" is a no.
    pub send_seen: bool,
    pub tab: Tab,
    /// The company whose access is shown (when not searching).
    pub at: Option<CompanyId>,
    pub search: String,
    pub show: Show,
    /// The search and filter the access step was last drawn with.
    pub drawn: (String, Show),
    /// The options and roles the access step drew and let change (what Select All acts on).
    pub drawn_boxes: Vec<(String, String)>,
    /// How many options a company's tab draws ("Show more" raises it).
    pub limit: usize,
}

/// Splits "all_locations_12" into ("all_locations", company 12).
pub fn split_company_field(name: &str) -> Option<(&str, CompanyId)> {
    let (field, company) = name.rsplit_once('_')?;
    Some((field, CompanyId(company.parse().ok()?)))
}

impl Wizard {
    pub fn from_pairs(pairs: &[(String, String)]) -> Self {
        let mut w = Wizard::default();
        for (key, value) in pairs {
            match key.as_str() {
                "emails" => w.emails = value.clone(),
                "company" => {
                    if let Ok(c) = value.parse::<i64>().map(CompanyId)
                        && !w.companies.contains(&c)
                    {
                        w.companies.push(c);
                    }
                }
                "first_name" => w.person.first_name = value.clone(),
                "last_name" => w.person.last_name = value.clone(),
                "display_name" => w.person.display_name = value.clone(),
                "phone" => w.person.phone = value.clone(),
                "username" => w.person.username = value.clone(),
                "enforce_2fa" => w.person.enforce_2fa = value == "on",
                "send_email" => w.send_email = value == "on",
                "add_existing" => w.add_existing = value == "on",
                "send_seen" => w.send_seen = true,
                "tab" => w.tab = Tab::parse(value).unwrap_or_default(),
                "at" => w.at = value.parse::<i64>().ok().map(CompanyId),
                "search" => w.search = value.trim().to_owned(),
                "show" => w.show = Show::parse(value),
                "drawn_search" => w.drawn.0 = value.trim().to_owned(),
                "drawn_show" => w.drawn.1 = Show::parse(value),
                "drawn" => w.drawn_boxes = parse_drawn(value),
                "limit" => w.limit = value.parse().unwrap_or(0),
                other => {
                    if let Some((field, company)) = split_company_field(other) {
                        w.choices
                            .entry(company)
                            .or_default()
                            .set(field, value, true);
                    }
                }
            }
        }
        if !w.send_seen {
            w.send_email = true;
            w.add_existing = true;
        }
        w.limit = w.limit.clamp(PAGE, MAX_SHOWN);
        w
    }

    /// A refusal about roles (none chosen somewhere, one not grantable, no full seat left)
    /// opens the Roles tab, unfiltered, at the first company without a role if any.
    pub fn show_roles(&mut self) {
        self.tab = Tab::Roles;
        self.search.clear();
        self.show = Show::All;
        self.first_page();
        if let Some(without) = self
            .companies
            .iter()
            .find(|c| self.choice(c).grant.roles.is_empty())
        {
            self.at = Some(*without);
        }
    }

    /// A new search, tab or company starts from the first options again.
    pub fn first_page(&mut self) {
        self.limit = PAGE;
    }

    /// Keeps choices only for the chosen companies, proposes access for those not yet shown,
    /// and points the access step at a chosen company.
    pub fn settle(&mut self) {
        let chosen = self.companies.clone();
        self.choices.retain(|c, _| chosen.contains(c));
        for company in &chosen {
            let choice = self.choices.entry(*company).or_default();
            if !choice.seen {
                choice.grant.propose();
            }
        }
        if self.at.is_none_or(|c| !chosen.contains(&c)) {
            self.at = chosen.first().copied();
        }
    }

    /// Every value the wizard holds, as form fields.
    fn pairs(&self) -> Vec<(String, String)> {
        let mut out = vec![("emails".to_owned(), self.emails.clone())];
        let p = &self.person;
        for (k, v) in [
            ("first_name", &p.first_name),
            ("last_name", &p.last_name),
            ("display_name", &p.display_name),
            ("phone", &p.phone),
            ("username", &p.username),
        ] {
            out.push((k.to_owned(), v.clone()));
        }
        if p.enforce_2fa {
            out.push(("enforce_2fa".into(), "on".into()));
        }
        if self.send_seen {
            out.push(("send_seen".into(), "1".into()));
            if self.send_email {
                out.push(("send_email".into(), "on".into()));
            }
            if self.add_existing {
                out.push(("add_existing".into(), "on".into()));
            }
        }
        out.extend(self.access_pairs());
        out.push(("search".into(), self.search.clone()));
        out.push(("show".into(), self.show.slug().into()));
        out
    }

    /// The access controls' values as form fields: the companies, what is chosen in each,
    /// and how the controls are viewed.
    fn access_pairs(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for c in &self.companies {
            out.push(("company".to_owned(), c.to_string()));
        }
        for (company, choice) in &self.choices {
            choice.pairs(*company, &mut out);
        }
        out.push(("tab".into(), self.tab.slug().into()));
        if let Some(at) = self.at {
            out.push(("at".into(), at.to_string()));
        }
        out.push(("drawn_search".into(), self.search.clone()));
        out.push(("drawn_show".into(), self.show.slug().into()));
        out.push(("limit".into(), self.limit.to_string()));
        out
    }

    /// Hidden fields of a page that draws only the access controls: everything they hold
    /// but the boxes drawn (`shown`).
    pub fn access_hidden(&self, shown: &HashSet<(String, String)>) -> Vec<(String, String)> {
        self.access_pairs()
            .into_iter()
            .filter(|(k, v)| !shown.contains(&(k.clone(), v.clone())))
            .collect()
    }

    /// The controls started from what a user holds: their companies, each with its grant
    /// as stored (shown, so nothing more is proposed), at the first company.
    pub fn holding(held: Vec<(CompanyId, Grant)>) -> Self {
        let mut w = Wizard {
            limit: PAGE,
            ..Wizard::default()
        };
        for (company, grant) in held {
            w.companies.push(company);
            let choice = Choice {
                grant,
                seen: true,
                ..Choice::default()
            };
            w.choices.insert(company, choice);
        }
        w.at = w.companies.first().copied();
        w
    }

    /// Whether the search or filter was changed since the access step was drawn.
    pub fn view_changed(&self) -> bool {
        (self.search.as_str(), self.show) != (self.drawn.0.as_str(), self.drawn.1)
    }

    /// Hidden fields: everything except what `step` shows as controls (`shown` holds the
    /// access step's enabled checkboxes, as name and value).
    pub fn hidden(&self, step: Step, shown: &HashSet<(String, String)>) -> Vec<(String, String)> {
        let own: &[&str] = match step {
            Step::Emails => &["emails"],
            Step::Companies => &["company"],
            Step::Info => &[
                "first_name",
                "last_name",
                "display_name",
                "phone",
                "username",
                "enforce_2fa",
            ],
            Step::Access => &["send_email", "add_existing", "send_seen", "search", "show"],
        };
        self.pairs()
            .into_iter()
            .filter(|(k, v)| !own.contains(&k.as_str()) && !shown.contains(&(k.clone(), v.clone())))
            .collect()
    }

    /// What is chosen, per company, as the domain takes it.
    pub fn grants(&self) -> Vec<crate::domain::invitations::CompanyGrant> {
        self.companies
            .iter()
            .map(|c| crate::domain::invitations::CompanyGrant {
                company: *c,
                grant: self.choice(c).grant,
            })
            .collect()
    }

    pub fn choice(&self, company: &CompanyId) -> Choice {
        self.choices.get(company).cloned().unwrap_or_default()
    }

    pub fn chose(&self, company: &CompanyId) -> bool {
        self.companies.contains(company)
    }
}
