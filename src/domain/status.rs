//! The fixed sets of text the service stores and speaks: each is an enum with its stored (and
//! JSON) text per variant, so code compares variants and never spells a status twice. Diesel reads
//! them through `TryFrom<String>` (`#[diesel(deserialize_as = String)]`) and writes `as_str()`.

/// Declares a text enum: the variants with their stored text, and serde (snake_case, which must
/// equal the text — a unit test checks it), `ToSchema`, `as_str`, `parse`, `ALL`, `Display`,
/// `TryFrom<String>` and `From<Enum> for String`.
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)?
        }
    ) => {
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
        )]
        #[serde(rename_all = "snake_case")]
        $(#[$meta])*
        $vis enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored and JSON text.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// The variant whose text is `s`, exactly.
            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                $name::parse(&s).ok_or_else(|| {
                    format!("{:?} is not a {}", s, stringify!($name))
                })
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.as_str().to_string()
            }
        }
    };
}

pub(crate) use text_enum;

text_enum! {
    /// A booking's status.
    pub enum BookingStatus {
        Confirmed = "confirmed",
        Waitlisted = "waitlisted",
        Cancelled = "cancelled",
        Withdrawn = "withdrawn",
        /// Ended because the centre cancelled the group (kept for monitoring).
        CancelledByCentre = "cancelled_by_centre",
        /// Moved to another group of the same programme (`transferred_to` names the new booking).
        Transferred = "transferred",
    }
}

impl BookingStatus {
    /// Holds (or waits for) a place.
    pub fn is_active(self) -> bool {
        matches!(self, BookingStatus::Confirmed | BookingStatus::Waitlisted)
    }

    /// Has ended (by the family, the centre or the cohort's cancellation).
    pub fn is_ended(self) -> bool {
        !self.is_active()
    }
}

text_enum! {
    /// A cohort's status; `completed` (after its last session) is worked out, never stored.
    pub enum CohortStatus {
        Draft = "draft",
        Published = "published",
        Completed = "completed",
        Cancelled = "cancelled",
    }
}

text_enum! {
    /// A session's status.
    pub enum SessionStatus {
        Scheduled = "scheduled",
        Cancelled = "cancelled",
    }
}

text_enum! {
    /// What a session is: one of the group's numbered sessions, or the meeting before or after.
    pub enum SessionKind {
        Group = "group",
        PreGroup = "pre_group",
        PostGroup = "post_group",
    }
}

text_enum! {
    /// A follow-up's status.
    pub enum FollowUpStatus {
        Open = "open",
        Closed = "closed",
    }
}

text_enum! {
    /// How a follow-up closed.
    pub enum FollowUpOutcome {
        Reengaged = "reengaged",
        WillRejoinLater = "will_rejoin_later",
        Withdrew = "withdrew",
        UnableToContact = "unable_to_contact",
    }
}

text_enum! {
    /// How a family was contacted.
    pub enum ContactMethod {
        Phone = "phone",
        Text = "text",
        Email = "email",
        Visit = "visit",
        Letter = "letter",
        Other = "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::register::Mark;

    fn serde_matches<T>(all: &[T])
    where
        T: Copy
            + serde::Serialize
            + serde::de::DeserializeOwned
            + PartialEq
            + std::fmt::Debug
            + std::fmt::Display,
        String: From<T>,
        T: TryFrom<String, Error = String>,
    {
        assert!(!all.is_empty());
        for &v in all {
            let text = String::from(v);
            assert_eq!(serde_json::to_value(v).unwrap(), serde_json::json!(text));
            assert_eq!(
                serde_json::from_value::<T>(serde_json::json!(text)).unwrap(),
                v
            );
            assert_eq!(v.to_string(), text);
            assert_eq!(T::try_from(text).unwrap(), v);
        }
    }

    #[test]
    fn serde_text_is_the_stored_text() {
        serde_matches(BookingStatus::ALL);
        serde_matches(CohortStatus::ALL);
        serde_matches(SessionStatus::ALL);
        serde_matches(SessionKind::ALL);
        serde_matches(FollowUpStatus::ALL);
        serde_matches(FollowUpOutcome::ALL);
        serde_matches(ContactMethod::ALL);
        serde_matches(Mark::ALL);
    }

    #[test]
    fn parse_is_exact() {
        assert_eq!(
            BookingStatus::parse("confirmed"),
            Some(BookingStatus::Confirmed)
        );
        assert_eq!(BookingStatus::parse("Confirmed"), None);
        assert_eq!(SessionKind::parse("pre_group"), Some(SessionKind::PreGroup));
        assert!(CohortStatus::try_from("done".to_string()).is_err());
    }
}
