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
        view_only_self_created -> Bool,
        full_seat_limit -> Nullable<Integer>,
        weekly_letter -> Bool,
        name_lower -> Text,
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
        code_lower -> Text,
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
        integration -> Nullable<Text>,
        enforce_2fa -> Bool,
        totp_secret -> Nullable<Text>,
        totp_last_step -> Nullable<BigInt>,
        directory_auth -> Bool,
        email_subscriptions -> Bool,
        comments -> Text,
        substitute_user_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    invitations (id) {
        id -> BigInt,
        account_id -> BigInt,
        user_id -> BigInt,
        invited_by -> Nullable<BigInt>,
        token_hash -> Text,
        status -> Text,
        send_count -> Integer,
        failure_reason -> Nullable<Text>,
        expires_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        accepted_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    outbox (id) {
        id -> BigInt,
        account_id -> BigInt,
        invitation_id -> Nullable<BigInt>,
        to_address -> Text,
        subject -> Text,
        text_body -> Text,
        html_body -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        message_id -> Text,
        claimed_by -> Nullable<Text>,
    }
}

diesel::table! {
    mail_workers (id) {
        id -> Text,
        heartbeat_at -> Timestamp,
        started_at -> Timestamp,
    }
}

diesel::table! {
    weekly_letters (account_id, iso_week) {
        account_id -> BigInt,
        iso_week -> Text,
        recipients -> Integer,
        created_at -> Timestamp,
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
        name_lower -> Text,
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
        all_locations -> Bool,
        all_product_groups -> Bool,
        deactivated_at -> Nullable<Timestamp>,
        substitute_id -> Nullable<BigInt>,
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
        actor_name -> Nullable<Text>,
        target_name -> Nullable<Text>,
    }
}

diesel::table! {
    catalog_items (id) {
        id -> BigInt,
        company_id -> BigInt,
        kind -> Text,
        parent_id -> Nullable<BigInt>,
        name -> Text,
        name_lower -> Text,
        code -> Text,
        code_lower -> Text,
        required -> Bool,
        archived_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    membership_fields_all (membership_id, field_id) {
        membership_id -> BigInt,
        field_id -> BigInt,
    }
}

diesel::table! {
    membership_items (membership_id, item_id) {
        membership_id -> BigInt,
        item_id -> BigInt,
    }
}

diesel::table! {
    saved_filters (id) {
        id -> BigInt,
        user_id -> BigInt,
        page -> Text,
        name -> Text,
        name_lower -> Text,
        query -> Text,
        is_default -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> BigInt,
        key_hash -> Text,
        user_id -> Nullable<BigInt>,
        state -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
    }
}

diesel::joinable!(catalog_items -> companies (company_id));
diesel::joinable!(membership_fields_all -> memberships (membership_id));
diesel::joinable!(membership_items -> memberships (membership_id));
diesel::joinable!(membership_items -> catalog_items (item_id));
diesel::joinable!(companies -> accounts (account_id));
diesel::joinable!(users -> accounts (account_id));
diesel::table! {
    user_comments (id) {
        id -> BigInt,
        account_id -> BigInt,
        user_id -> BigInt,
        author_id -> Nullable<BigInt>,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    email_changes (id) {
        id -> BigInt,
        account_id -> BigInt,
        user_id -> BigInt,
        requested_by -> Nullable<BigInt>,
        new_email -> Text,
        token_hash -> Text,
        status -> Text,
        expires_at -> Timestamp,
        created_at -> Timestamp,
        confirmed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    password_resets (id) {
        id -> BigInt,
        account_id -> BigInt,
        user_id -> BigInt,
        requested_by -> Nullable<BigInt>,
        token_hash -> Text,
        status -> Text,
        expires_at -> Timestamp,
        created_at -> Timestamp,
    }
}

diesel::table! {
    recovery_codes (id) {
        id -> BigInt,
        user_id -> BigInt,
        code_hash -> Text,
        created_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(roles -> accounts (account_id));
diesel::joinable!(role_rights -> roles (role_id));
diesel::joinable!(memberships -> users (user_id));
diesel::joinable!(memberships -> companies (company_id));
diesel::joinable!(membership_roles -> memberships (membership_id));
diesel::joinable!(membership_roles -> roles (role_id));
diesel::joinable!(setup_tokens -> accounts (account_id));
diesel::joinable!(outbox -> invitations (invitation_id));
diesel::joinable!(invitations -> users (user_id));
diesel::joinable!(sessions -> users (user_id));

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
    catalog_items,
    membership_fields_all,
    membership_items,
    invitations,
    saved_filters,
    outbox,
    weekly_letters,
    sessions,
    user_comments,
    email_changes,
    password_resets,
    recovery_codes,
);
