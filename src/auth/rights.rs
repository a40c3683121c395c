//! The fixed catalog of rights. Roles hold a set of these; code checks only these.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Right {
    UsersView,
    UsersInvite,
    UsersEdit,
    UsersDeactivate,
    UsersDelete,
    RolesManage,
    ConfigManage,
    AuditView,
}

impl Right {
    pub const ALL: [Right; 8] = [
        Right::UsersView,
        Right::UsersInvite,
        Right::UsersEdit,
        Right::UsersDeactivate,
        Right::UsersDelete,
        Right::RolesManage,
        Right::ConfigManage,
        Right::AuditView,
    ];

    /// The stable code stored in role_rights.
    pub fn code(self) -> &'static str {
        match self {
            Right::UsersView => "users.view",
            Right::UsersInvite => "users.invite",
            Right::UsersEdit => "users.edit",
            Right::UsersDeactivate => "users.deactivate",
            Right::UsersDelete => "users.delete",
            Right::RolesManage => "roles.manage",
            Right::ConfigManage => "config.manage",
            Right::AuditView => "audit.view",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Right::UsersView => "View users",
            Right::UsersInvite => "Invite users",
            Right::UsersEdit => "Edit users and their access",
            Right::UsersDeactivate => "Deactivate, block and reactivate users",
            Right::UsersDelete => "Delete users",
            Right::RolesManage => "Manage roles",
            Right::ConfigManage => "Manage configuration",
            Right::AuditView => "View activity",
        }
    }

    pub fn from_code(code: &str) -> Option<Right> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

impl fmt::Display for Right {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A set of rights, small and `Copy`, so checking one is a bit test.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RightSet(u16);

impl RightSet {
    pub fn all() -> Self {
        Self::from_iter(Right::ALL)
    }

    pub fn insert(&mut self, right: Right) {
        self.0 |= right.bit();
    }

    pub fn contains(self, right: Right) -> bool {
        self.0 & right.bit() != 0
    }

    pub fn union(self, other: RightSet) -> Self {
        Self(self.0 | other.0)
    }

    pub fn intersection(self, other: RightSet) -> Self {
        Self(self.0 & other.0)
    }

    /// The rights of `self` that `other` lacks.
    pub fn without(self, other: RightSet) -> Self {
        Self(self.0 & !other.0)
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Right> {
        Right::ALL.into_iter().filter(move |r| self.contains(*r))
    }
}

impl FromIterator<Right> for RightSet {
    fn from_iter<I: IntoIterator<Item = Right>>(iter: I) -> Self {
        let mut set = RightSet::default();
        for right in iter {
            set.insert(right);
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_unique() {
        for right in Right::ALL {
            assert_eq!(Right::from_code(right.code()), Some(right));
        }
        assert_eq!(Right::from_code("users.fly"), None);
        assert_eq!(RightSet::all().iter().count(), Right::ALL.len());
    }

    #[test]
    fn sets() {
        let set: RightSet = [Right::UsersView, Right::AuditView].into_iter().collect();
        assert!(set.contains(Right::UsersView));
        assert!(!set.contains(Right::UsersEdit));
        assert_eq!(
            set.iter().collect::<Vec<_>>(),
            vec![Right::UsersView, Right::AuditView]
        );
        assert!(RightSet::default().is_empty());
        let view: RightSet = [Right::UsersView].into_iter().collect();
        assert_eq!(
            set.without(view).iter().collect::<Vec<_>>(),
            vec![Right::AuditView]
        );
        assert!(view.without(set).is_empty());
    }
}
