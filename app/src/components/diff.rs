//! A change shown line by line: the audit log's before/after and the IAM policy
//! editor's "review before save" and version comparisons use the same lines and the same
//! view. The diff itself is computed on the server (the `similar` crate's Myers diff), so
//! the browser carries no diff code.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One line of a change: `'+'` added, `'-'` removed, `' '` kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiffLine {
    pub kind: char,
    pub text: String,
}

/// The line diff of two texts; empty when both are empty.
#[cfg(feature = "ssr")]
pub fn text_diff(before: &str, after: &str) -> Vec<DiffLine> {
    if before.is_empty() && after.is_empty() {
        return Vec::new();
    }
    // A last line without its newline is the same line as with one.
    let whole = |s: &str| {
        if s.is_empty() || s.ends_with('\n') {
            s.to_string()
        } else {
            format!("{s}\n")
        }
    };
    let (b, a) = (whole(before), whole(after));
    similar::TextDiff::from_lines(&b, &a)
        .iter_all_changes()
        .map(|c| DiffLine {
            kind: match c.tag() {
                similar::ChangeTag::Insert => '+',
                similar::ChangeTag::Delete => '-',
                similar::ChangeTag::Equal => ' ',
            },
            text: c.value().trim_end_matches('\n').to_string(),
        })
        .collect()
}

/// A change as lines marked added (+), removed (−) or kept.
#[component]
pub fn Diff(
    lines: Vec<DiffLine>,
    #[prop(optional, into)] testid: Option<String>,
    #[prop(optional, into)] label: Option<String>,
) -> impl IntoView {
    view! {
        <pre class="diff" data-testid=testid.unwrap_or_else(|| "diff".into()) aria-label=label tabindex="0">
            {lines.into_iter().map(|l| {
                let (class, mark) = match l.kind {
                    '+' => ("diff-add", "+ "),
                    '-' => ("diff-del", "− "),
                    _ => ("diff-same", "  "),
                };
                view! { <span class=class>{mark}{l.text}"\n"</span> }
            }).collect_view()}
        </pre>
    }
}
