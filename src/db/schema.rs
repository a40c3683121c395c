// Written by hand to match migrations/sqlite and migrations/postgres.

diesel::table! {
    accounts (id) {
        id -> BigInt,
        name -> Text,
        invitation_valid_hours -> Integer,
        lockout_threshold -> Integer,
        lockout_minutes -> Integer,
        session_idle_minutes -> Integer,
        session_absolute_minutes -> Integer,
        require_2fa -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    companies (id) {
        id -> BigInt,
        account_id -> BigInt,
        name -> Text,
        code -> Text,
        archived_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        account_id -> BigInt,
        email -> Text,
        email_lower -> Text,
        username -> Nullable<Text>,
        username_lower -> Nullable<Text>,
        first_name -> Text,
        last_name -> Text,
        display_name -> Text,
        phone -> Text,
        password_hash -> Nullable<Text>,
        status -> Text,
        is_account_admin -> Bool,
        failed_logins -> Integer,
        locked_at -> Nullable<Timestamp>,
        locked_until -> Nullable<Timestamp>,
        expires_at -> Nullable<Timestamp>,
        must_change_password -> Bool,
        security_stamp -> Text,
        last_access_at -> Nullable<Timestamp>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    roles (id) {
        id -> BigInt,
        account_id -> BigInt,
        name -> Text,
        description -> Text,
        seat_kind -> Text,
        builtin -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    role_rights (role_id, right_code) {
        role_id -> BigInt,
        right_code -> Text,
    }
}

diesel::table! {
    memberships (id) {
        id -> BigInt,
        user_id -> BigInt,
        company_id -> BigInt,
        active -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    membership_roles (membership_id, role_id) {
        membership_id -> BigInt,
        role_id -> BigInt,
    }
}

diesel::table! {
    setup_tokens (id) {
        id -> BigInt,
        account_id -> BigInt,
        token_hash -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        voided_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    audit_events (id) {
        id -> BigInt,
        account_id -> BigInt,
        actor_user_id -> Nullable<BigInt>,
        action -> Text,
        target_user_id -> Nullable<BigInt>,
        company_id -> Nullable<BigInt>,
        detail -> Text,
        ip -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(companies -> accounts (account_id));
diesel::joinable!(users -> accounts (account_id));
diesel::joinable!(roles -> accounts (account_id));
diesel::joinable!(role_rights -> roles (role_id));
diesel::joinable!(memberships -> users (user_id));
diesel::joinable!(memberships -> companies (company_id));
diesel::joinable!(membership_roles -> memberships (membership_id));
diesel::joinable!(membership_roles -> roles (role_id));
diesel::joinable!(setup_tokens -> accounts (account_id));

diesel::allow_tables_to_appear_in_same_query!(
    accounts,
    companies,
    users,
    roles,
    role_rights,
    memberships,
    membership_roles,
    setup_tokens,
    audit_events,
);
