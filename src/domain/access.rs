//! What a membership reaches in its company: Access to All or chosen locations and product
//! groups; per custom field, Select All (every option, including ones added later) or the
//! options chosen.

use crate::db::DbConnection;
use crate::db::schema::{catalog_items, membership_fields_all, membership_items};
use crate::domain::catalog::ItemKind;
use crate::domain::{ItemId, MembershipId, Result};
use diesel::prelude::*;

/// The options of `field` the membership can use now: all current options with Select All,
/// otherwise the chosen ones that are not archived.
pub fn field_options(
    conn: &mut DbConnection,
    membership: MembershipId,
    field: ItemId,
) -> Result<Vec<ItemId>> {
    let select_all: i64 = membership_fields_all::table
        .filter(membership_fields_all::membership_id.eq(membership))
        .filter(membership_fields_all::field_id.eq(field))
        .count()
        .get_result(conn)?;
    let options = catalog_items::table
        .filter(catalog_items::parent_id.eq(field))
        .filter(catalog_items::kind.eq(ItemKind::FieldOption.as_str()))
        .filter(catalog_items::archived_at.is_null())
        .order(catalog_items::id)
        .select(catalog_items::id)
        .into_boxed();
    if select_all > 0 {
        return Ok(options.load(conn)?);
    }
    let chosen = membership_items::table
        .filter(membership_items::membership_id.eq(membership))
        .select(membership_items::item_id);
    Ok(options
        .filter(catalog_items::id.eq_any(chosen))
        .load(conn)?)
}

/// Turns Select All off for a field and keeps exactly `chosen` of its options.
pub fn choose_field_options(
    conn: &mut DbConnection,
    membership: MembershipId,
    field: ItemId,
    chosen: &[ItemId],
) -> Result<()> {
    crate::db::write_transaction(conn, |conn| {
        diesel::delete(
            membership_fields_all::table
                .filter(membership_fields_all::membership_id.eq(membership))
                .filter(membership_fields_all::field_id.eq(field)),
        )
        .execute(conn)?;
        let options = catalog_items::table
            .filter(catalog_items::parent_id.eq(field))
            .select(catalog_items::id);
        diesel::delete(
            membership_items::table
                .filter(membership_items::membership_id.eq(membership))
                .filter(membership_items::item_id.eq_any(options)),
        )
        .execute(conn)?;
        for option in chosen {
            diesel::insert_into(membership_items::table)
                .values((
                    membership_items::membership_id.eq(membership),
                    membership_items::item_id.eq(*option),
                ))
                .execute(conn)?;
        }
        Ok(())
    })
}
