//! The access controls the Invite User wizard and a user's page share: per company, the
//! Locations, Document Custom Fields, Product Groups and Roles tabs with search by Name or
//! Code, Show All Options / Checked Only / Unchecked Only, Select All / Unselect All, Access
//! to All and Apply to All Companies (templates/users/access_controls.html). The wizard
//! starts them from what it proposes; a user's page starts them from what the user holds.

pub mod actions;
pub mod view;
pub mod wizard;

pub use wizard::{Show, Step, Tab, Wizard};
