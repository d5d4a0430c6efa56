//! Which UNIQUE rule a failed write broke, named the same on both databases. Every conflict a
//! use case turns into a clear answer goes through [`unique_violated`].

use diesel::result::{DatabaseErrorKind, Error};

/// The unique rules of the schema, in the product's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unique {
    /// Two logins with one email address.
    UserEmail,
    RefreshToken,
    ProgrammeCode,
    BankHolidayChange,
    StaffEmail,
    /// One staff record per login.
    StaffLogin,
    StaffQualification,
    /// The same person twice in the same role on one cohort's team.
    TeamRole,
    /// One family per parent login.
    FamilyOfUser,
    /// One active (confirmed or waitlisted) booking per family per cohort.
    ActiveBooking,
    CrecheChild,
    IdempotencyKey,
    CalendarToken,
    AttendanceMark,
    CrecheSignIn,
    /// At most one open follow-up per booking.
    OpenFollowUp,
    /// One score per booking, measure and phase (before/after).
    OutcomeMeasure,
    Setting,
    /// One apology per booking and session.
    Apology,
}

/// Each rule as SQLite names it (`table.first_column`) and as PostgreSQL does (the constraint
/// or index name). Kept beside the migrations' UNIQUE clauses it mirrors.
const RULES: &[(Unique, &str, &str)] = &[
    (Unique::UserEmail, "users.email", "users_email_key"),
    (
        Unique::RefreshToken,
        "refresh_tokens.token_hash",
        "refresh_tokens_token_hash_key",
    ),
    (
        Unique::ProgrammeCode,
        "programmes.code",
        "programmes_code_key",
    ),
    (
        Unique::BankHolidayChange,
        "bank_holiday_changes.holiday_date",
        "bank_holiday_changes_holiday_date_change_key",
    ),
    (Unique::StaffEmail, "staff.email", "staff_email_key"),
    (Unique::StaffLogin, "staff.user_id", "staff_user_id_key"),
    (
        Unique::StaffQualification,
        "staff_qualifications.staff_id",
        "staff_qualifications_staff_id_kind_key",
    ),
    (
        Unique::TeamRole,
        "cohort_team.cohort_id",
        "cohort_team_cohort_id_staff_id_role_key",
    ),
    (
        Unique::FamilyOfUser,
        "families.user_id",
        "families_user_id_key",
    ),
    (
        Unique::ActiveBooking,
        "bookings.cohort_id",
        "bookings_one_active",
    ),
    (
        Unique::CrecheChild,
        "booking_creche_children.booking_id",
        "booking_creche_children_booking_id_child_id_key",
    ),
    (
        Unique::IdempotencyKey,
        "idempotency_keys.user_id",
        "idempotency_keys_user_id_idem_key_key",
    ),
    (
        Unique::CalendarToken,
        "families.calendar_token_hash",
        "families_calendar_token",
    ),
    (
        Unique::AttendanceMark,
        "attendance_marks.session_id",
        "attendance_marks_session_id_booking_id_key",
    ),
    (
        Unique::CrecheSignIn,
        "creche_attendance.session_id",
        "creche_attendance_session_id_child_id_key",
    ),
    (
        Unique::OpenFollowUp,
        "follow_ups.booking_id",
        "follow_ups_one_open",
    ),
    (
        Unique::OutcomeMeasure,
        "outcome_measures.booking_id",
        "outcome_measures_booking_id_measure_phase_key",
    ),
    (Unique::Setting, "settings.key", "settings_pkey"),
    (
        Unique::Apology,
        "apologies.booking_id",
        "apologies_booking_id_session_id_key",
    ),
];

/// The unique rule `e` broke, if it is a unique violation of a known rule.
pub fn unique_violated(e: &Error) -> Option<Unique> {
    let Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) = e else {
        return None;
    };
    if let Some(name) = info.constraint_name() {
        return RULES.iter().find(|r| r.2 == name).map(|r| r.0);
    }
    // SQLite: "UNIQUE constraint failed: bookings.cohort_id, bookings.family_id".
    let first = info
        .message()
        .strip_prefix("UNIQUE constraint failed: ")?
        .split(',')
        .next()?
        .trim();
    RULES.iter().find(|r| r.1 == first).map(|r| r.0)
}
