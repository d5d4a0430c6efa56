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
    account_tokens (id) {
        id -> Integer,
        purpose -> Text,
        token_hash -> Text,
        user_id -> Nullable<Integer>,
        family_id -> Nullable<Integer>,
        email -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    rate_limits (key) {
        key -> Text,
        window_start -> Timestamp,
        hits -> Integer,
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
        follow_up_after_absences -> Integer,
        outcome_measures -> Text,
        reminder_days_before -> Nullable<Integer>,
        reminder_time -> Time,
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
        lsoa -> Text,
        imd_decile -> Nullable<Integer>,
    }
}

diesel::table! {
    family_monitoring (id) {
        id -> Integer,
        family_id -> Integer,
        carers -> Integer,
        ethnicity -> Text,
        first_language -> Text,
        english_additional -> Text,
        lone_parent -> Text,
        carer_one_role -> Text,
        carer_two_role -> Text,
        carer_one_birth_year -> Text,
        carer_two_birth_year -> Text,
        carer_one_disability -> Text,
        carer_two_disability -> Text,
    }
}

diesel::table! {
    geography_postcodes (postcode) {
        postcode -> Text,
        local_authority -> Text,
        ward_code -> Text,
        lsoa -> Text,
    }
}

diesel::table! {
    geography_wards (ward_code) {
        ward_code -> Text,
        ward -> Text,
        under_fives -> Nullable<Integer>,
    }
}

diesel::table! {
    geography_lsoas (lsoa) {
        lsoa -> Text,
        imd_decile -> Integer,
    }
}

diesel::table! {
    geography_outside_sectors (sector) {
        sector -> Text,
    }
}

diesel::table! {
    geography_editions (id) {
        id -> Integer,
        imd_edition -> Text,
        local_authorities -> Text,
        ward_set -> Text,
        sources -> Text,
        postcodes -> Integer,
        wards -> Integer,
        lsoas -> Integer,
        loaded_at -> Timestamp,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Integer,
        at -> Timestamp,
        actor_user_id -> Nullable<Integer>,
        action -> Text,
        entity -> Text,
        entity_id -> Nullable<Integer>,
        family_id -> Nullable<Integer>,
        detail -> Text,
    }
}

diesel::table! {
    bank_holiday_changes (id) {
        id -> Integer,
        holiday_date -> Date,
        name -> Text,
        change -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    closures (id) {
        id -> Integer,
        venue_id -> Nullable<Integer>,
        from_date -> Date,
        to_date -> Date,
        reason -> Text,
        created_by -> Nullable<Integer>,
        created_at -> Timestamp,
        applied_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    staff (id) {
        id -> Integer,
        name -> Text,
        email -> Text,
        phone -> Text,
        organisation -> Text,
        roles -> Text,
        user_id -> Nullable<Integer>,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    staff_qualifications (id) {
        id -> Integer,
        staff_id -> Integer,
        kind -> Text,
        expires_on -> Nullable<Date>,
    }
}

diesel::table! {
    cohorts (id) {
        id -> Integer,
        programme_id -> Integer,
        venue_id -> Integer,
        title -> Text,
        description -> Text,
        status -> Text,
        first_session_date -> Date,
        start_time -> Time,
        session_minutes -> Integer,
        timezone -> Text,
        places -> Integer,
        creche_offered -> Bool,
        creche_workers -> Integer,
        booking_opens_on -> Nullable<Date>,
        booking_closes_on -> Nullable<Date>,
        cancel_reason -> Nullable<Text>,
        created_by -> Nullable<Integer>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        published_at -> Nullable<Timestamp>,
        cancelled_at -> Nullable<Timestamp>,
        confirmed_count -> Integer,
    }
}

diesel::table! {
    sessions (id) {
        id -> Integer,
        cohort_id -> Integer,
        number -> Nullable<Integer>,
        kind -> Text,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        status -> Text,
        cancel_reason -> Nullable<Text>,
        sequence -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        register_version -> Integer,
        creche_staff_present -> Nullable<Integer>,
        register_notes -> Text,
    }
}

diesel::table! {
    cohort_team (id) {
        id -> Integer,
        cohort_id -> Integer,
        staff_id -> Integer,
        role -> Text,
    }
}

diesel::table! {
    families (id) {
        id -> Integer,
        user_id -> Nullable<Integer>,
        carer_one -> Text,
        carer_two -> Text,
        phone -> Text,
        email -> Text,
        postcode -> Text,
        ward -> Text,
        preferred_language -> Text,
        interpreter_needed -> Bool,
        access_needs -> Text,
        referral_source -> Text,
        consent_to_contact -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        erased_at -> Nullable<Timestamp>,
        calendar_token_hash -> Nullable<Text>,
        language_other -> Text,
        contact_by -> Text,
        reminders -> Bool,
        email_verified -> Text,
        enrolled_by -> Nullable<Integer>,
        lsoa -> Text,
        imd_decile -> Nullable<Integer>,
    }
}

diesel::table! {
    children (id) {
        id -> Integer,
        family_id -> Integer,
        first_name -> Text,
        date_of_birth -> Nullable<Date>,
        due_date -> Nullable<Date>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        erased_at -> Nullable<Timestamp>,
        allergies -> Text,
        dietary_needs -> Text,
        medical_needs -> Text,
        medicines -> Text,
        medicines_consent -> Bool,
        medicines_consent_date -> Nullable<Date>,
        additional_needs -> Text,
        send -> Text,
    }
}

diesel::table! {
    emergency_contacts (id) {
        id -> Integer,
        family_id -> Integer,
        position -> Integer,
        name -> Text,
        relation -> Text,
        phone -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    authorised_collectors (id) {
        id -> Integer,
        child_id -> Integer,
        name -> Text,
        relation -> Text,
        password_hash -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    bookings (id) {
        id -> Integer,
        cohort_id -> Integer,
        family_id -> Integer,
        status -> Text,
        carers -> Integer,
        booked_by -> Nullable<Integer>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        confirmed_at -> Nullable<Timestamp>,
        ended_at -> Nullable<Timestamp>,
        access_needs -> Text,
        interpreter_needed -> Bool,
        transferred_to -> Nullable<Integer>,
        walk_in -> Bool,
    }
}

diesel::table! {
    apologies (id) {
        id -> Integer,
        booking_id -> Integer,
        session_id -> Integer,
        reason -> Text,
        given_by -> Nullable<Integer>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    booking_creche_children (id) {
        id -> Integer,
        booking_id -> Integer,
        child_id -> Integer,
    }
}

diesel::table! {
    notifications (id) {
        id -> Integer,
        family_id -> Integer,
        booking_id -> Nullable<Integer>,
        kind -> Text,
        message -> Text,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    messages (id) {
        id -> Integer,
        reference -> Text,
        family_id -> Nullable<Integer>,
        booking_id -> Nullable<Integer>,
        cohort_id -> Nullable<Integer>,
        session_id -> Nullable<Integer>,
        kind -> Text,
        channel -> Text,
        recipient -> Text,
        language -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        calendar -> Text,
        dedupe_key -> Nullable<Text>,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        provider -> Text,
        provider_id -> Text,
        last_error -> Text,
        resent_from -> Nullable<Integer>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        erased_at -> Nullable<Timestamp>,
        staff_id -> Nullable<Integer>,
        user_id -> Nullable<Integer>,
    }
}

diesel::table! {
    idempotency_keys (id) {
        id -> Integer,
        user_id -> Integer,
        idem_key -> Text,
        request_hash -> Text,
        response -> Text,
        location -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    attendance_marks (id) {
        id -> Integer,
        session_id -> Integer,
        booking_id -> Integer,
        status -> Text,
        marked_by -> Nullable<Integer>,
        marked_at -> Timestamp,
        arrived_at -> Nullable<Timestamp>,
        left_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    booking_mark_tallies (booking_id) {
        booking_id -> Integer,
        recorded -> Integer,
        attended -> Integer,
        attended_group -> Integer,
    }
}

diesel::table! {
    creche_attendance (id) {
        id -> Integer,
        session_id -> Integer,
        booking_id -> Integer,
        child_id -> Integer,
        signed_in_at -> Timestamp,
        signed_out_at -> Nullable<Timestamp>,
        collected_by -> Text,
        marked_by -> Nullable<Integer>,
        marked_at -> Timestamp,
        collector_id -> Nullable<Integer>,
        collection_override -> Text,
    }
}

diesel::table! {
    creche_key_persons (id) {
        id -> Integer,
        cohort_id -> Integer,
        child_id -> Integer,
        staff_id -> Integer,
        assigned_by -> Nullable<Integer>,
        assigned_at -> Timestamp,
    }
}

diesel::table! {
    creche_incidents (id) {
        id -> Integer,
        session_id -> Integer,
        booking_id -> Integer,
        child_id -> Integer,
        happened_at -> Timestamp,
        what_happened -> Text,
        first_aid -> Text,
        witnesses -> Text,
        recorded_by -> Nullable<Integer>,
        recorded_at -> Timestamp,
        acknowledged_at -> Nullable<Timestamp>,
        erased_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    session_visitors (id) {
        id -> Integer,
        session_id -> Integer,
        family_id -> Integer,
        carers -> Integer,
        added_by -> Nullable<Integer>,
        added_at -> Timestamp,
    }
}

diesel::table! {
    follow_ups (id) {
        id -> Integer,
        booking_id -> Integer,
        cohort_id -> Integer,
        family_id -> Integer,
        trigger_session_id -> Integer,
        status -> Text,
        outcome -> Nullable<Text>,
        note -> Text,
        opened_at -> Timestamp,
        closed_at -> Nullable<Timestamp>,
        closed_by -> Nullable<Integer>,
    }
}

diesel::table! {
    follow_up_contacts (id) {
        id -> Integer,
        follow_up_id -> Integer,
        at -> Timestamp,
        method -> Text,
        reached -> Bool,
        note -> Text,
        recorded_by -> Nullable<Integer>,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    outcome_measures (id) {
        id -> Integer,
        booking_id -> Integer,
        measure -> Text,
        phase -> Text,
        score -> Double,
        recorded_on -> Date,
        recorded_by -> Nullable<Integer>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(refresh_tokens -> users (user_id));
diesel::joinable!(account_tokens -> families (family_id));
diesel::joinable!(bookings -> cohorts (cohort_id));
diesel::joinable!(booking_mark_tallies -> bookings (booking_id));
diesel::joinable!(bookings -> families (family_id));
diesel::joinable!(booking_creche_children -> bookings (booking_id));
diesel::joinable!(booking_creche_children -> children (child_id));
diesel::joinable!(children -> families (family_id));
diesel::joinable!(family_monitoring -> families (family_id));
diesel::joinable!(emergency_contacts -> families (family_id));
diesel::joinable!(authorised_collectors -> children (child_id));
diesel::joinable!(staff_qualifications -> staff (staff_id));
diesel::joinable!(cohorts -> programmes (programme_id));
diesel::joinable!(cohorts -> venues (venue_id));
diesel::joinable!(sessions -> cohorts (cohort_id));
diesel::joinable!(cohort_team -> cohorts (cohort_id));
diesel::joinable!(cohort_team -> staff (staff_id));
diesel::joinable!(closures -> venues (venue_id));
diesel::joinable!(attendance_marks -> sessions (session_id));
diesel::joinable!(attendance_marks -> bookings (booking_id));
diesel::joinable!(creche_attendance -> sessions (session_id));
diesel::joinable!(creche_attendance -> bookings (booking_id));
diesel::joinable!(creche_attendance -> children (child_id));
diesel::joinable!(creche_key_persons -> cohorts (cohort_id));
diesel::joinable!(creche_key_persons -> children (child_id));
diesel::joinable!(creche_key_persons -> staff (staff_id));
diesel::joinable!(creche_incidents -> sessions (session_id));
diesel::joinable!(creche_incidents -> bookings (booking_id));
diesel::joinable!(creche_incidents -> children (child_id));
diesel::joinable!(session_visitors -> sessions (session_id));
diesel::joinable!(session_visitors -> families (family_id));
diesel::joinable!(follow_ups -> bookings (booking_id));
diesel::joinable!(follow_ups -> cohorts (cohort_id));
diesel::joinable!(follow_up_contacts -> follow_ups (follow_up_id));
diesel::joinable!(outcome_measures -> bookings (booking_id));
diesel::joinable!(apologies -> bookings (booking_id));
diesel::joinable!(apologies -> sessions (session_id));

diesel::allow_tables_to_appear_in_same_query!(
    booking_mark_tallies,
    settings,
    users,
    refresh_tokens,
    account_tokens,
    rate_limits,
    programmes,
    venues,
    audit_events,
    bank_holiday_changes,
    closures,
    staff,
    staff_qualifications,
    cohorts,
    sessions,
    cohort_team,
    families,
    children,
    emergency_contacts,
    authorised_collectors,
    bookings,
    apologies,
    booking_creche_children,
    notifications,
    messages,
    idempotency_keys,
    attendance_marks,
    creche_attendance,
    creche_key_persons,
    creche_incidents,
    session_visitors,
    follow_ups,
    follow_up_contacts,
    outcome_measures,
    family_monitoring,
    geography_postcodes,
    geography_wards,
    geography_lsoas,
    geography_outside_sectors,
    geography_editions,
);
