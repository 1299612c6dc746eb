//! Newtypes for ids, so that a user id can never be passed where a tenant id is meant.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            pub fn new_random() -> Self {
                Self(Uuid::new_v4())
            }
            /// Parses a stored or user-supplied id; `None` for anything that is not a UUID.
            pub fn parse(s: &str) -> Option<Self> {
                Uuid::parse_str(s.trim()).ok().map(Self)
            }
            pub fn as_text(&self) -> String {
                self.0.hyphenated().to_string()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0.hyphenated())
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s.trim()).map(Self)
            }
        }
    };
}

id_type!(
    /// A tenant's id (UUID). It never changes.
    TenantId
);
id_type!(
    /// A user's id (UUID), independent of the identity provider.
    UserId
);
id_type!(
    /// An API token's id.
    TokenId
);
id_type!(
    /// An audit event's id.
    AuditId
);

id_type!(
    /// A tenant-scoped cloud's id.
    CloudId
);
id_type!(
    /// A VRF context's id.
    VrfId
);
id_type!(
    /// An SE group's id.
    SeGroupId
);
id_type!(
    /// A Service Engine's id.
    ServiceEngineId
);
id_type!(
    /// An IAM group's id.
    GroupId
);
id_type!(
    /// A cloud wizard draft's id.
    DraftId
);

/// The id of the system tenant `admin`, fixed by the first migration.
pub const SYSTEM_TENANT_ID: TenantId =
    TenantId(Uuid::from_u128(0x00000000_0000_4000_8000_000000000001));

/// Reads an id column; a malformed stored id is an internal error, not a panic.
pub(crate) fn col_id<T: FromStr>(s: &str) -> Result<T, crate::DomainError> {
    s.parse()
        .map_err(|_| crate::DomainError::Internal(format!("malformed id in database: {s}")))
}
