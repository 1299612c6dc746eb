//! Building blocks shared by the pages: the app shell, the tenant switcher, error
//! views, empty states and pagination.

mod chart;
mod confirm;
mod copy;
mod diff;
mod editor;
mod form;
pub use chart::*;
pub use confirm::*;
pub use copy::*;
pub use diff::*;
pub use editor::*;
pub use form::*;

use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The active tenant's name from the URL.
pub fn tenant_param() -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get("tenant").unwrap_or_default())
}

/// A query-string parameter (empty when absent).
pub fn query_param(name: &'static str) -> Memo<String> {
    let query = use_query_map();
    Memo::new(move |_| query.read().get(name).unwrap_or_default())
}

/// `None` for an empty string: a query parameter (a cursor) that was not given.
pub fn non_empty(s: String) -> Option<String> {
    (!s.is_empty()).then_some(s)
}

/// Builds `?a=1&b=2` from pairs, skipping empty values.
pub fn query_string(pairs: &[(&str, &str)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// Percent-encodes a query value.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A full-page error: the status code, a title, and what to do next. Internals never
/// appear here; the server logged them.
#[component]
pub fn ErrorView(error: AppError) -> impl IntoView {
    crate::set_status(error.status());
    let (code, title, text) = match &error {
        AppError::NotFound => (
            404,
            "Page not found",
            "There is nothing here, or you do not have access to it.".to_string(),
        ),
        AppError::Forbidden(m) => (403, "Access denied", m.clone()),
        AppError::Unauthenticated => (401, "Please log in", error.to_string()),
        AppError::Internal | AppError::Transport(_) => (
            500,
            "Something went wrong",
            "The request failed on our side. Please try again in a moment.".to_string(),
        ),
        other => (other.status(), "That did not work", other.to_string()),
    };
    let login = matches!(error, AppError::Unauthenticated);
    view! {
        <div class="error-page" role="alert" data-testid="error-page">
            <div class="error-code">{code}</div>
            <h1 class="error-title">{title}</h1>
            <p class="error-text">{text}</p>
            <p>
                {if login {
                    view! { <a class="btn btn-primary" href="/login">"Log in"</a> }.into_any()
                } else {
                    view! { <a class="btn" href="/">"Go to your console"</a> }.into_any()
                }}
            </p>
        </div>
    }
}

/// A centred message for an empty table.
#[component]
pub fn EmptyState(title: String, hint: String) -> impl IntoView {
    view! {
        <div class="empty-state" data-testid="empty-state">
            <div class="empty-title">{title}</div>
            <div class="empty-hint">{hint}</div>
        </div>
    }
}

/// The filter bar above a list: a GET form (so it works without JavaScript, and the
/// URL keeps the filters), its fields as children, the submit button, and "Clear" while
/// a filter is set.
#[component]
pub fn FilterForm(
    /// The form's accessible name.
    label: &'static str,
    /// The submit button's text (`Filter`, `Search`, `Show`).
    submit: &'static str,
    /// Whether a filter is set (shows "Clear").
    #[prop(optional)]
    filtering: bool,
    children: Children,
) -> impl IntoView {
    view! {
        <form class="filters" method="get" role="search" aria-label=label>
            {children()}
            <div class="form-actions">
                <button class="btn" type="submit">{submit}</button>
                {filtering.then(|| view! { <a class="btn btn-ghost" href="?">"Clear"</a> })}
            </div>
        </form>
    }
}

/// One input of a [`FilterForm`], with its label.
#[component]
pub fn FilterField(
    id: &'static str,
    label: &'static str,
    name: &'static str,
    value: String,
    #[prop(default = "search")] kind: &'static str,
    #[prop(optional)] placeholder: &'static str,
    /// A narrow field (dates, choices).
    #[prop(optional)]
    narrow: bool,
) -> impl IntoView {
    view! {
        <div class="field" class:field-narrow=narrow>
            <label for=id>{label}</label>
            <input id=id type=kind name=name value=value placeholder=(!placeholder.is_empty()).then_some(placeholder)/>
        </div>
    }
}

/// A list's table, or its empty state when there is no row: `empty` when the list has
/// nothing yet, `no_match` when filters hide every row. The rows are the children.
#[component]
pub fn ListTable(
    /// The table's accessible name.
    label: &'static str,
    headers: &'static [&'static str],
    /// Columns known only at run time, after `headers` (the usage page's kinds).
    #[prop(optional)]
    more_headers: Vec<String>,
    /// Rows on this page.
    shown: usize,
    /// Whether filters narrow the list (which empty state to show).
    filtering: bool,
    empty: (&'static str, &'static str),
    no_match: (&'static str, &'static str),
    children: Children,
) -> impl IntoView {
    let body = if shown == 0 {
        let (title, hint) = if filtering { no_match } else { empty };
        view! { <EmptyState title=title.to_string() hint=hint.to_string()/> }.into_any()
    } else {
        view! {
            <table class="data-table" aria-label=label>
                <thead><tr>
                    {headers.iter().map(|h| view! { <th>{*h}</th> }).collect_view()}
                    {more_headers.into_iter().map(|h| view! { <th class="num">{h}</th> }).collect_view()}
                </tr></thead>
                <tbody>{children()}</tbody>
            </table>
        }
        .into_any()
    };
    // A wide table scrolls inside its frame on a phone: the frame is a named region that
    // takes focus, so keyboard users can scroll it too.
    view! { <div class="table-wrap" tabindex="0" role="region" aria-label=label>{body}</div> }
}

/// A "Loading…" line for Suspense fallbacks (only seen during client navigation).
#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="muted" aria-busy="true">"Loading…"</p> }
}

/// The query parameter that remembers the cursors of the pages before this one, so
/// that keyset paging can go back (`~` stands for the first page).
const BACK_PARAM: &str = "back";

/// Paging for keyset lists: "41–60 of 312", Previous and Next. Links keep the other
/// query parameters, so paging works without JavaScript too. Going back needs the
/// cursors of the earlier pages; they travel in the URL (`back`), as the page offset does.
#[component]
pub fn Pager(
    next_cursor: Option<String>,
    /// Rows on this page.
    shown: usize,
    /// Rows per page (the list's limit).
    limit: usize,
    /// The list's size, counted up to a cap (more means "over a thousand").
    total: Option<i64>,
    /// The page's other query parameters (search, filters).
    #[prop(into)]
    params: Vec<(String, String)>,
) -> impl IntoView {
    // Read once: a pager is made after the page's data arrived, when the route's
    // memos may be gone during a server render.
    let query = use_query_map().try_get_untracked().unwrap_or_default();
    let cursor = query.get("cursor").unwrap_or_default();
    let back: Vec<String> = query
        .get(BACK_PARAM)
        .filter(|b| !b.is_empty())
        .map(|b| b.split(',').map(str::to_string).collect())
        .unwrap_or_default();
    let base: Vec<(String, String)> = params
        .into_iter()
        .filter(|(k, _)| k != "cursor" && k != BACK_PARAM)
        .collect();
    let link = move |cursor: Option<&str>, back: &[String]| {
        let mut pairs: Vec<(&str, &str)> =
            base.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        if let Some(c) = cursor.filter(|c| *c != "~") {
            pairs.push(("cursor", c));
        }
        let back = back.join(",");
        pairs.push((BACK_PARAM, &back));
        let q = query_string(&pairs);
        if q.is_empty() {
            "?".to_string()
        } else {
            q
        }
    };
    let offset = back.len() * limit;
    let prev = back.split_last().map(|(last, rest)| link(Some(last), rest));
    let next = next_cursor.as_deref().map(|c| {
        let mut deeper = back.clone();
        deeper.push(if cursor.is_empty() {
            "~".to_string()
        } else {
            cursor.clone()
        });
        link(Some(c), &deeper)
    });
    let of = match total {
        Some(t) if t > 1000 => " of over 1,000".to_string(),
        Some(t) => format!(" of {t}"),
        None => String::new(),
    };
    let range = if shown == 0 {
        format!("None{of}")
    } else {
        format!("{}–{}{of}", offset + 1, offset + shown)
    };
    // An empty list says so itself (its empty state); a pager would only add "None".
    let nothing = shown == 0 && prev.is_none();
    (!nothing).then(|| view! {
        <nav class="pagination" aria-label="Pagination">
            <span class="page-info" data-testid="page-range">{range}</span>
            {match prev {
                Some(href) => view! { <a class="btn btn-sm" href=href rel="prev">"Previous"</a> }.into_any(),
                None => view! { <span class="btn btn-sm" aria-disabled="true">"Previous"</span> }.into_any(),
            }}
            {match next {
                Some(href) => view! { <a class="btn btn-sm" href=href rel="next">"Next"</a> }.into_any(),
                None => view! { <span class="btn btn-sm" aria-disabled="true">"Next"</span> }.into_any(),
            }}
        </nav>
    })
}

/// An error message under a form field.
#[component]
pub fn FieldError(
    #[prop(into)] message: Signal<Option<String>>,
    #[prop(into)] id: String,
) -> impl IntoView {
    view! {
        {move || message.get().map(|m| view! { <p class="field-error" id=id.clone() role="alert">{m}</p> })}
    }
}

/// Clears a form once its action succeeded, ready for the next entry (a secret pasted
/// into "Connect", an email just added). Failed submissions keep what was typed.
pub fn reset_on_success<S>(action: ServerAction<S>, form: NodeRef<leptos::html::Form>)
where
    S: leptos::server_fn::ServerFn + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
{
    Effect::new(move |_| {
        if action.value().with(|v| matches!(v, Some(Ok(_)))) {
            if let Some(form) = form.get_untracked() {
                form.reset();
            }
        }
    });
}

/// An optional text field of a server function: empty means absent (a cursor, a filter).
pub fn empty_to_none(s: Option<String>) -> Option<String> {
    s.filter(|v| !v.trim().is_empty())
}

/// A checkbox of a server function's form: the browser sends it (as `on`, or its
/// `value`) only when ticked, so absent, empty or `off` mean unticked.
pub fn checked(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|v| !v.is_empty() && v != "off")
}

/// A page's error banner for row actions (delete, revoke and the like).
pub fn error_banner(e: Option<crate::error::AppError>) -> impl IntoView {
    e.map(|e| view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> })
}

/// A reader for a route memo (a parameter, the path) that keeps working once the memo
/// is disposed, with the value it had when the component was made.
///
/// During an async server render, closures that run after an `.await` (`Suspend`, the
/// page head's `<Title>`) can find the route's memos already disposed, and a plain
/// `get()` then panics (a 500 for a few requests in a thousand under load). In the
/// browser the reader still tracks the memo, so it follows navigation.
pub fn memo_or_initial(memo: Memo<String>) -> impl Fn() -> String + Clone + Send + Sync + 'static {
    let initial = memo.get_untracked();
    move || memo.try_get().unwrap_or_else(|| initial.clone())
}

/// The `<Title>` text of a page named by a route parameter (the tenant, a policy), read
/// safely after the render (see [`memo_or_initial`]).
pub fn page_title(
    param: Memo<String>,
    make: impl Fn(&str) -> String + Send + Sync + 'static,
) -> impl Fn() -> String + Send + Sync + 'static {
    let read = memo_or_initial(param);
    move || make(&read())
}
