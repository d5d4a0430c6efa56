//! One-time links to an account: what each is for, how long it works, and where it opens in the
//! centre's front end (`GROUPWORK_FAMILY_URL` + path + `?token=`).

use crate::domain::message::MessageKind;
use chrono::TimeDelta;

/// A kind of one-time link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// A family enrolled by staff takes over its record (14 days: letters and phones are slow).
    Invitation,
    /// Choose a new password (one hour: whoever holds the mailbox holds the account).
    PasswordReset,
    /// Confirm a new account's address (a week).
    ConfirmEmail,
    /// Confirm a new address for the account (two days).
    EmailChange,
}

impl Link {
    pub fn lifetime(self) -> TimeDelta {
        match self {
            Link::Invitation => TimeDelta::days(14),
            Link::PasswordReset => TimeDelta::hours(1),
            Link::ConfirmEmail => TimeDelta::days(7),
            Link::EmailChange => TimeDelta::days(2),
        }
    }

    /// The page of the family front end that takes the token.
    pub fn path(self) -> &'static str {
        match self {
            Link::Invitation => "account/claim",
            Link::PasswordReset => "account/reset-password",
            Link::ConfirmEmail => "account/confirm-email",
            Link::EmailChange => "account/change-email",
        }
    }

    /// The message that carries it.
    pub fn message(self) -> MessageKind {
        match self {
            Link::Invitation => MessageKind::AccountInvitation,
            Link::PasswordReset => MessageKind::AccountPasswordReset,
            Link::ConfirmEmail => MessageKind::AccountConfirmEmail,
            Link::EmailChange => MessageKind::AccountEmailChange,
        }
    }

    /// The full address of the link: the front end's base, the page, the token.
    pub fn url(self, base: &str, token: &str) -> String {
        format!(
            "{}/{}?token={token}",
            base.trim_end_matches('/'),
            self.path()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_open_the_front_end_page_with_the_token() {
        assert_eq!(
            Link::PasswordReset.url("https://groups.example.org/", "abc"),
            "https://groups.example.org/account/reset-password?token=abc"
        );
        assert_eq!(
            Link::Invitation.url("http://127.0.0.1:8080", "t"),
            "http://127.0.0.1:8080/account/claim?token=t"
        );
        assert_eq!(Link::PasswordReset.lifetime(), TimeDelta::hours(1));
        assert_eq!(Link::Invitation.lifetime(), TimeDelta::days(14));
        for l in [
            Link::Invitation,
            Link::PasswordReset,
            Link::ConfirmEmail,
            Link::EmailChange,
        ] {
            assert!(l.message().carries_link());
        }
    }
}
