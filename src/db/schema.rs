// Portable diesel schema shared by SQLite and PostgreSQL. Only types both backends map the same way
// (Integer, Text, Bool, Timestamp, Date, Time, Double) belong here; tests/api/schema_check.rs checks
// that every table and column below exists in both migration sets.

diesel::table! {
    settings (key) {
        key -> Text,
        value -> Text,
    }
}

diesel::table! {
    users (id) {
        id -> Integer,
        email -> Text,
        password_hash -> Text,
        display_name -> Text,
        role -> Text,
        disabled -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Integer,
        user_id -> Integer,
        token_hash -> Text,
        family -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    programmes (id) {
        id -> Integer,
        code -> Text,
        name -> Text,
        description -> Text,
        session_count -> Integer,
        session_minutes -> Integer,
        min_age_months -> Integer,
        max_age_months -> Integer,
        pregnancy_eligible -> Bool,
        creche_provided -> Bool,
        lead_qualification -> Nullable<Text>,
        co_facilitator_required -> Bool,
        co_facilitator_qualification -> Nullable<Text>,
        completion_threshold -> Integer,
        built_in -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    venues (id) {
        id -> Integer,
        name -> Text,
        address -> Text,
        postcode -> Text,
        ward -> Text,
        creche_room_capacity -> Integer,
        creche_registered -> Bool,
        accessibility_notes -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(refresh_tokens -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(settings, users, refresh_tokens, programmes, venues);
