//! The seed itself: one transaction that makes the account, its catalogs and its people, and writes them in batches.

use crate::bulk_insert;
use crate::db::schema::{
    invitations, membership_fields_all, membership_items, membership_roles, memberships, users,
};
use crate::db::{DbConnection, max_id, sync_id_sequences};
use crate::domain::companies::{self};
use crate::domain::invitations::status::InvitationStatus;
use crate::domain::seed::{
    CITIES, Catalog, FIRST, INTEGRATIONS, LAST, SeedFieldAll, SeedInvitation, SeedItem,
    SeedMembership, SeedOptions, SeedReport, SeedRole, SeedUser, base32, make_catalog, pick,
};
use crate::domain::users::UserStatus;
use crate::domain::{MembershipId, Result, RoleId, UserId, accounts, roles};
use chrono::{NaiveDateTime, TimeDelta};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

pub fn seed(
    conn: &mut DbConnection,
    options: &SeedOptions,
    now: NaiveDateTime,
) -> Result<SeedReport> {
    let report = crate::db::write_transaction(conn, |conn| {
        let mut rng = StdRng::seed_from_u64(options.seed);
        let account = accounts::create(conn, &options.account_name, "Headquarters", now)?;
        let mut company_rows = companies::active_for_account(conn, account.id)?;
        for i in 1..options.companies.max(1) {
            let name = format!("{} {}", options.account_name, CITIES[i % CITIES.len()]);
            company_rows.push(companies::create(
                conn,
                account.id,
                &name,
                &format!("CO-{i}"),
                now,
            )?);
        }
        let catalogs = company_rows
            .iter()
            .map(|c| make_catalog(conn, c, now))
            .collect::<Result<Vec<_>>>()?;
        let role_ids: Vec<RoleId> = ["Viewer", "Editor", "Manager", "Admin"]
            .iter()
            .map(|name| roles::find_by_name(conn, account.id, name).map(|r| r.id))
            .collect::<Result<_>>()?;

        let mut report = SeedReport {
            account_id: Some(account.id),
            companies: company_rows.len(),
            ..SeedReport::default()
        };
        let first_user = max_id(conn, "users")? + 1;
        let first_membership = max_id(conn, "memberships")? + 1;
        let total = options.users + usize::from(options.admin.is_some());
        let mut people = Vec::with_capacity(total);
        let (mut members, mut held, mut items, mut all_fields, mut invites) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let domain = format!(
            "{}.example",
            options
                .account_name
                .to_lowercase()
                .replace(|c: char| !c.is_ascii_alphanumeric(), "")
        );
        for i in 0..total {
            let id = UserId(first_user + i as i64);
            let is_admin = options.admin.is_some() && i == 0;
            let (first, last) = (
                FIRST[rng.random_range(0..FIRST.len())],
                LAST[rng.random_range(0..LAST.len())],
            );
            let email = match (&options.admin, is_admin) {
                (Some((email, _)), true) => email.clone(),
                _ => format!(
                    "{}.{}.{i}@{domain}",
                    first.to_lowercase(),
                    last.to_lowercase().replace([' ', 'ä'], "")
                ),
            };
            let roll = rng.random_range(0..100);
            let status = match roll {
                _ if is_admin => UserStatus::Active,
                0..80 => UserStatus::Active,
                80..88 => UserStatus::Invited,
                88..94 => UserStatus::Deactivated,
                _ => UserStatus::Blocked,
            };
            let active = status == UserStatus::Active && !is_admin;
            let locked = active && rng.random_range(0..100) < 2;
            let expired = active && !locked && rng.random_range(0..100) < 2;
            let created = now - TimeDelta::days(rng.random_range(30..800));
            let last_access = match status {
                UserStatus::Invited => None,
                _ if rng.random_range(0..100) < 5 => None,
                _ => Some(now - TimeDelta::seconds(rng.random_range(0..365 * 24 * 3600))),
            };
            let integration = (rng.random_range(0..100) < 3)
                .then(|| INTEGRATIONS[rng.random_range(0..INTEGRATIONS.len())]);
            // A stand-in secret nobody holds, so the 2FA column and filter have something to
            // show; these users have no password and cannot sign in. Never the
            // administrator, who signs in with the password the seed was given.
            let totp =
                (!is_admin && status != UserStatus::Invited && rng.random_range(0..100) < 15)
                    .then(|| base32(&mut rng));
            match status {
                UserStatus::Active => report.active += 1,
                UserStatus::Invited => report.invited += 1,
                UserStatus::Deactivated => report.deactivated += 1,
                UserStatus::Blocked => report.blocked += 1,
            }
            report.locked += usize::from(locked);
            report.expired += usize::from(expired);
            report.integrated += usize::from(integration.is_some());
            people.push(SeedUser {
                id,
                account_id: account.id,
                email_lower: email.to_lowercase(),
                email,
                first_name: first.into(),
                last_name: last.into(),
                display_name: format!("{first} {last}"),
                phone: format!("+1 555 {:04}", rng.random_range(0..10_000)),
                password_hash: if is_admin {
                    options.admin.as_ref().map(|(_, hash)| hash.clone())
                } else {
                    None
                },
                status: status.as_str(),
                is_account_admin: is_admin,
                locked_at: locked.then(|| now - TimeDelta::hours(rng.random_range(1..72))),
                expires_at: if expired {
                    Some(now - TimeDelta::days(rng.random_range(1..90)))
                } else if rng.random_range(0..100) < 5 {
                    Some(now + TimeDelta::days(rng.random_range(1..180)))
                } else {
                    None
                },
                security_stamp: format!("seed-{}-{i}", options.seed),
                last_access_at: last_access,
                created_at: created,
                updated_at: created,
                integration,
                enforce_2fa: rng.random_range(0..100) < 10,
                totp_secret: totp,
            });
            let invitation =
                |status: InvitationStatus, failure: Option<&'static str>| SeedInvitation {
                    account_id: account.id,
                    user_id: id,
                    token_hash: format!("seed-{}-{}", options.seed, id.0),
                    status: status.as_str(),
                    send_count: i32::from(status != InvitationStatus::Pending),
                    failure_reason: failure,
                    expires_at: created + TimeDelta::hours(24),
                    sent_at: (status != InvitationStatus::Pending).then_some(created),
                    accepted_at: (status == InvitationStatus::Accepted)
                        .then(|| created + TimeDelta::hours(2)),
                    created_at: created,
                };
            if status == UserStatus::Invited {
                let invite = match rng.random_range(0..100) {
                    0..40 => invitation(InvitationStatus::Sent, None),
                    40..70 => invitation(InvitationStatus::Pending, None),
                    70..85 => invitation(InvitationStatus::Expired, None),
                    _ => invitation(
                        InvitationStatus::Failed,
                        Some("550 5.1.1 mailbox unavailable"),
                    ),
                };
                report.failed_invitations +=
                    usize::from(invite.status == InvitationStatus::Failed.as_str());
                invites.push(invite);
            } else if !is_admin {
                invites.push(invitation(InvitationStatus::Accepted, None));
            }

            let company_count = match rng.random_range(0..100) {
                0..75 => 1,
                75..95 => 2,
                _ => 3,
            };
            let catalogs_of_user: Vec<&Catalog> = if is_admin {
                catalogs.iter().take(1).collect()
            } else {
                pick(
                    &mut rng,
                    &(0..catalogs.len()).collect::<Vec<_>>(),
                    company_count,
                )
                .into_iter()
                .map(|c| &catalogs[c])
                .collect()
            };
            let mut missing_required = false;
            for catalog in catalogs_of_user {
                let membership = MembershipId(first_membership + members.len() as i64);
                let all_locations = is_admin || rng.random_range(0..100) < 30;
                let all_product_groups = is_admin || rng.random_range(0..100) < 20;
                members.push(SeedMembership {
                    id: membership,
                    user_id: id,
                    company_id: catalog.company,
                    active: status != UserStatus::Deactivated,
                    created_at: created,
                    all_locations,
                    all_product_groups,
                });
                let role = if is_admin {
                    role_ids[3]
                } else {
                    match rng.random_range(0..100) {
                        0..40 => role_ids[0],
                        40..75 => role_ids[1],
                        75..95 => role_ids[2],
                        _ => role_ids[3],
                    }
                };
                held.push(SeedRole {
                    membership_id: membership,
                    role_id: role,
                });
                if !is_admin && rng.random_range(0..100) < 10 && role != role_ids[0] {
                    held.push(SeedRole {
                        membership_id: membership,
                        role_id: role_ids[0],
                    });
                }
                if !all_locations {
                    let n = rng.random_range(1..4);
                    items.extend(pick(&mut rng, &catalog.locations, n).into_iter().map(
                        |item_id| SeedItem {
                            membership_id: membership,
                            item_id,
                        },
                    ));
                }
                if !all_product_groups {
                    let n = rng.random_range(0..3);
                    items.extend(pick(&mut rng, &catalog.product_groups, n).into_iter().map(
                        |item_id| SeedItem {
                            membership_id: membership,
                            item_id,
                        },
                    ));
                }
                for (field, required, options) in &catalog.fields {
                    match rng.random_range(0..100) {
                        _ if is_admin => all_fields.push(SeedFieldAll {
                            membership_id: membership,
                            field_id: *field,
                        }),
                        0..75 => all_fields.push(SeedFieldAll {
                            membership_id: membership,
                            field_id: *field,
                        }),
                        75..97 => {
                            let n = rng.random_range(1..3);
                            items.extend(pick(&mut rng, options, n).into_iter().map(|item_id| {
                                SeedItem {
                                    membership_id: membership,
                                    item_id,
                                }
                            }));
                        }
                        _ => missing_required |= *required,
                    }
                }
            }
            report.missing_required_field += usize::from(missing_required);
        }
        crate::db::bulk_load(conn, |conn| {
            report.users = bulk_insert!(conn, users::table, &people);
            report.memberships = bulk_insert!(conn, memberships::table, &members);
            bulk_insert!(conn, membership_roles::table, &held);
            bulk_insert!(conn, membership_items::table, &items);
            bulk_insert!(conn, membership_fields_all::table, &all_fields);
            bulk_insert!(conn, invitations::table, &invites);
            Ok::<_, crate::domain::Error>(())
        })?;
        sync_id_sequences(conn, &["users", "memberships"])?;
        Ok::<_, crate::domain::Error>(report)
    })?;
    crate::db::analyze(conn)?;
    Ok(report)
}
