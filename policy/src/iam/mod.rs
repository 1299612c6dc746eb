//! The IAM policy language (seed 001): `Allow`, `Deny`, `Define`, `Endorse` and `Admit`
//! statements in the OCI style, their resource catalogue, a printer, and the evaluator
//! that decides a request inside one tenant or across two.
//!
//! Pure and dependency-light on purpose: the same parser lints in the browser as the
//! author types (compiled to wasm), validates on the server before a save, and feeds the
//! evaluator that the simulator and, later, the console's own authorisation use.
//!
//! ```text
//! Define tenancy DestinationTenancy as <tenant id>
//! Endorse group OKE-Admins to manage cluster-family in tenancy DestinationTenancy
//! ```

pub mod ast;
pub mod catalogue;
mod eval;
mod lex;
mod parse;
mod print;

pub use ast::*;
pub use eval::{
    Decision, GroupRef, PolicyDoc, PolicySet, Principal, Reason, Request, StatementRef, Wanted,
};
pub use parse::{parse, MAX_BYTES, MAX_STATEMENTS};
pub use print::{print, statement as print_statement};

use serde::{Deserialize, Serialize};
use std::fmt;

/// One problem in a document: where, the text found there, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParseError {
    pub line: u32,
    pub column: u32,
    /// The offending text (empty at the end of the document).
    pub found: String,
    pub message: String,
}

impl ParseError {
    pub(crate) fn at(pos: Pos, found: &str, message: &str) -> ParseError {
        ParseError {
            line: pos.line,
            column: pos.column,
            found: found.to_string(),
            message: message.to_string(),
        }
    }
}

/// The shape every document error takes outside this crate (the editor, the API), the
/// same as the NCS parser's.
impl From<ParseError> for crate::ncs::Issue {
    fn from(e: ParseError) -> Self {
        crate::ncs::Issue {
            line: e.line as usize,
            column: e.column as usize,
            message: e.message,
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

/// Decides a request against the policies of every tenant involved.
pub fn evaluate(request: &Request, policies: &PolicySet) -> Decision {
    policies.evaluate(request)
}

#[cfg(test)]
mod tests;
