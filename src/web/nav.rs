//! What a user may open, as the policy answers it: the top bar and the Configuration hub
//! show a link only when the page behind it opens for this user.

use crate::auth::policy::{Action, Actor, allowed_account_wide, allowed_somewhere};

pub struct NavItem {
    pub label: &'static str,
    pub href: &'static str,
}

pub struct Area {
    pub label: &'static str,
    pub href: &'static str,
    pub about: &'static str,
}

/// The top bar.
pub fn top_bar(actor: &Actor) -> Vec<NavItem> {
    let mut nav = Vec::new();
    if allowed_somewhere(actor, Action::ViewUsers) {
        nav.push(NavItem {
            label: "User Management",
            href: "/users",
        });
    }
    nav.push(NavItem {
        label: "My Profile",
        href: "/profile",
    });
    if !config_areas(actor).is_empty() {
        nav.push(NavItem {
            label: "Configuration",
            href: "/config",
        });
    }
    nav
}

/// The Configuration hub's areas, each behind the action its pages ask for.
pub fn config_areas(actor: &Actor) -> Vec<Area> {
    let mut areas = Vec::new();
    if allowed_account_wide(actor, Action::ManageCompanies) {
        areas.push(Area {
            label: "Companies",
            href: "/config/companies",
            about: "Add, rename and archive the account's companies.",
        });
    }
    // The catalog pages list the companies where the user holds config.manage.
    if allowed_somewhere(actor, Action::ManageConfig) {
        areas.push(Area {
            label: "Locations",
            href: "/config/locations",
            about: "Where people work, per company.",
        });
        areas.push(Area {
            label: "Document Custom Fields",
            href: "/config/fields",
            about: "Departments, projects and other fields with their options, per company.",
        });
        areas.push(Area {
            label: "Product Groups",
            href: "/config/product-groups",
            about: "Groups of products people may buy, per company.",
        });
    }
    // Roles are the account's, so managing them needs the right in every company.
    if allowed_account_wide(actor, Action::ManageRoles) {
        areas.push(Area {
            label: "Roles",
            href: "/config/roles",
            about: "Roles and the rights they grant.",
        });
        areas.push(Area {
            label: "Permissions",
            href: "/config/permissions",
            about: "Every role against every right, in one table.",
        });
    }
    if allowed_account_wide(actor, Action::ManageAdmins) {
        areas.push(Area {
            label: "Admins",
            href: "/config/admins",
            about: "The account administrators: every right in every company.",
        });
    }
    if allowed_account_wide(actor, Action::ManageConfig) {
        areas.push(Area {
            label: "Basic Settings",
            href: "/config/settings",
            about: "Invitations, lockout, sessions, seats, the weekly letter.",
        });
    }
    areas
}
