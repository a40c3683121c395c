//! The CSV form of a listed user, safe to open in a spreadsheet.

use super::ListedUser;

/// A CSV cell that a spreadsheet will not run as a formula: text starting with = + - @ (or a
/// tab or carriage return) gets a leading apostrophe.
pub fn neutralize(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_owned(),
    }
}

pub const CSV_HEADER: [&str; 10] = [
    "Name",
    "Email",
    "User name",
    "Status",
    "Roles",
    "Companies",
    "Last access (UTC)",
    "Invitation",
    "Integration",
    "2FA",
];

/// One user as CSV cells, neutralized; `account_requires_2fa` tells Off from Required in
/// the 2FA column.
pub fn csv_cells(row: &ListedUser, account_requires_2fa: bool) -> [String; 10] {
    let roles: Vec<&str> = row.roles.iter().map(|(name, _)| name.as_str()).collect();
    [
        row.user.display_name.clone(),
        row.user.email.clone(),
        row.user.username.clone().unwrap_or_default(),
        row.status.label().to_owned(),
        roles.join(", "),
        row.companies.join(", "),
        row.user
            .last_access_at
            .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_default(),
        row.invitation
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        row.user.integration.clone().unwrap_or_default(),
        crate::domain::two_factor::TwoFactorState::of(&row.user, account_requires_2fa)
            .label()
            .to_owned(),
    ]
    .map(|cell| neutralize(&cell))
}

#[cfg(test)]
mod tests {
    use super::neutralize;

    #[test]
    fn formulas_are_neutralized() {
        assert_eq!(neutralize("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralize("+1"), "'+1");
        assert_eq!(neutralize("-2"), "'-2");
        assert_eq!(neutralize("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralize("Ada Lovelace"), "Ada Lovelace");
        assert_eq!(neutralize(""), "");
    }
}
