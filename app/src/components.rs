//! Building blocks shared by the pages: the app shell, the tenant switcher, error
//! views, empty states and pagination.

use crate::api::{self, ActiveTenant, SwitcherData};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_params_map, use_query_map};

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

/// A "Loading…" line for Suspense fallbacks (only seen during client navigation).
#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="muted" aria-busy="true">"Loading…"</p> }
}

/// Forward paging for keyset lists: "First page" and "Next page" links that keep the
/// other query parameters, so paging works without JavaScript too.
#[component]
pub fn Pager(
    next_cursor: Option<String>,
    has_cursor: bool,
    shown: usize,
    #[prop(into)] params: Vec<(String, String)>,
) -> impl IntoView {
    let base: Vec<(String, String)> = params.into_iter().filter(|(k, _)| k != "cursor").collect();
    let link = move |cursor: Option<&str>| {
        let mut pairs: Vec<(&str, &str)> =
            base.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        if let Some(c) = cursor {
            pairs.push(("cursor", c));
        }
        let q = query_string(&pairs);
        if q.is_empty() {
            "?".to_string()
        } else {
            q
        }
    };
    let first = link(None);
    let next = next_cursor.as_deref().map(|c| link(Some(c)));
    view! {
        <nav class="pagination" aria-label="Pagination">
            <span class="page-info">{format!("{shown} shown")}</span>
            {if has_cursor {
                view! { <a class="btn btn-sm" href=first>"First page"</a> }.into_any()
            } else {
                view! { <span class="btn btn-sm" aria-disabled="true">"First page"</span> }.into_any()
            }}
            {match next {
                Some(href) => view! { <a class="btn btn-sm" href=href rel="next">"Next page"</a> }.into_any(),
                None => view! { <span class="btn btn-sm" aria-disabled="true">"Next page"</span> }.into_any(),
            }}
        </nav>
    }
}

/// An error message under a form field.
#[component]
pub fn FieldError(
    #[prop(into)] message: Signal<Option<String>>,
    id: &'static str,
) -> impl IntoView {
    view! {
        {move || message.get().map(|m| view! { <p class="field-error" id=id role="alert">{m}</p> })}
    }
}

/// The page frame inside a tenant: header with the tenant switcher and user menu, side
/// navigation, and the page itself.
#[component]
pub fn AppShell(children: Children) -> impl IntoView {
    let tenant = tenant_param();
    let ctx = Resource::new(move || tenant.get(), api::tenant_context);
    let base = move || format!("/t/{}", tenant.get());
    let location = use_location();
    let here = move || location.pathname.get();
    let current = move |href: String| {
        let path = here();
        let (path, href) = (path.trim_end_matches('/'), href.trim_end_matches('/'));
        // A section's sub-pages (a connection, a policy) keep its link current; the
        // dashboard, the tenant's root, only on itself.
        let section = href != base().trim_end_matches('/') && path.starts_with(&format!("{href}/"));
        let active = path == href || section;
        if active {
            Some("page")
        } else {
            None
        }
    };
    let nav_link = move |suffix: &'static str, label: &'static str| {
        let href = Signal::derive(move || format!("{}{suffix}", base()));
        view! {
            <a class="nav-link" href=href aria-current=move || current(href.get())>{label}</a>
        }
    };
    view! {
        <div class="shell">
            <header class="topbar">
                <a class="brand" href="/"><span class="brand-mark" aria-hidden="true"></span>"Tenantry"</a>
                <TenantSwitcher ctx/>
                <div class="topbar-spacer"></div>
                <div class="user-menu">
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            ctx.await.ok().map(|c| view! { <span class="user-email" data-testid="user-email">{c.user_email}</span> })
                        })}
                    </Transition>
                    <form class="inline" method="post" action="/auth/logout">
                        <button class="btn btn-ghost" type="submit">"Log out"</button>
                    </form>
                </div>
            </header>
            <div class="layout">
                <nav class="sidenav" aria-label="Main">
                    <div class="nav-section">"Tenant"</div>
                    {nav_link("", "Dashboard")}
                    {nav_link("/members", "Members")}
                    {nav_link("/audit", "Audit log")}
                    <div class="nav-section">"NCS Networking"</div>
                    {nav_link("/connections", "Cross-Tenant Connections")}
                    {nav_link("/workspaces", "Workspaces")}
                    {nav_link("/services", "Services")}
                    {nav_link("/network-policies", "Network Policies")}
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            ctx.await.ok().filter(|c| c.global_admin).map(|_| view! {
                                <div class="nav-section">"Global"</div>
                                {nav_link("/tenants", "Tenants")}
                                {nav_link("/connection-map", "Connection map")}
                            })
                        })}
                    </Transition>
                </nav>
                <main class="content" id="main">{children()}</main>
            </div>
        </div>
    }
}

/// The header's tenant switcher. It shows `admin (tenant)` for a global admin, as Avi
/// does, searches server-side as you type, lists recent tenants, and keeps the current
/// page when switching. Without JavaScript it is a `<details>` with a GET search form.
#[component]
pub fn TenantSwitcher(ctx: Resource<Result<ActiveTenant, AppError>>) -> impl IntoView {
    let tenant = tenant_param();
    let tq = query_param("tq");
    let tc = query_param("tc");
    let (q, set_q) = signal(tq.get_untracked());
    let (cursor, set_cursor) = signal(tc.get_untracked());
    // Keyed on the tenant too, so the recent list is fresh after every switch.
    let data = Resource::new(
        move || (tenant.get(), q.get(), cursor.get()),
        |(_, q, c)| api::switcher(q, if c.is_empty() { None } else { Some(c) }),
    );
    let location = use_location();
    // Any navigation (a switch, or a link elsewhere) closes the panel and clears the search.
    let details = NodeRef::<leptos::html::Details>::new();
    Effect::watch(
        move || location.pathname.get(),
        move |_, _, _| {
            set_q.set(String::new());
            set_cursor.set(String::new());
            if let Some(d) = details.get_untracked() {
                let _ = d.remove_attribute("open");
            }
        },
        false,
    );
    // The page within the tenant (`/members`…), kept when switching.
    let rest = move || {
        let path = location.pathname.get();
        let prefix = format!("/t/{}", tenant.get());
        path.strip_prefix(&prefix).unwrap_or("").to_string()
    };
    let label = move || {
        Suspend::new(async move {
            match ctx.await {
                Ok(c) if c.global_admin => format!("admin ({})", c.name),
                Ok(c) => c.name,
                Err(_) => "Choose a tenant".to_string(),
            }
        })
    };
    let open = !tq.get_untracked().is_empty() || !tc.get_untracked().is_empty();
    let list = move |items: Vec<api::TenantLink>| {
        let current = tenant.get();
        items
            .into_iter()
            .map(|t| {
                let href = format!("/t/{}{}", t.name, rest());
                let is_current = (t.name == current).then_some("true");
                view! { <li><a href=href aria-current=is_current data-testid="switcher-item">{t.name}</a></li> }
            })
            .collect_view()
    };
    view! {
        <details class="switcher" data-testid="tenant-switcher" open=open node_ref=details>
            <summary class="switcher-button" aria-label="Switch tenant" data-testid="switcher-button"><Transition fallback=|| "Tenant">{label}</Transition></summary>
            <div class="switcher-panel">
                <form method="get" role="search" on:submit=|ev| ev.prevent_default()>
                    <input
                        class="switcher-search"
                        type="search"
                        name="tq"
                        placeholder="Search tenants…"
                        aria-label="Search tenants"
                        autocomplete="off"
                        prop:value=move || q.get()
                        on:input=move |ev| {
                            set_cursor.set(String::new());
                            set_q.set(event_target_value(&ev));
                        }
                    />
                </form>
                <Transition fallback=|| view! { <div class="switcher-empty">"Searching…"</div> }>
                    {move || Suspend::new(async move {
                        match data.await {
                            Ok(SwitcherData { recent, results, next_cursor }) => {
                                // Recent means the *other* tenants you used; the current one is
                                // already marked in the list below.
                                let here = tenant.get_untracked();
                                let recent: Vec<_> = recent.into_iter().filter(|t| t.name != here).collect();
                                let no_results = results.is_empty();
                                view! {
                                    {(!recent.is_empty()).then(|| view! {
                                        <div class="switcher-section">"Recent"</div>
                                        <ul class="switcher-list" aria-label="Recent tenants">{list(recent)}</ul>
                                    })}
                                    <div class="switcher-section">{if q.get_untracked().is_empty() { "All tenants" } else { "Matching tenants" }}</div>
                                    {if no_results {
                                        view! { <div class="switcher-empty">"No tenant matches."</div> }.into_any()
                                    } else {
                                        view! { <ul class="switcher-list" aria-label="Tenants">{list(results)}</ul> }.into_any()
                                    }}
                                    {next_cursor.map(|c| {
                                        let href = format!("?tq={}&tc={}", encode(&q.get_untracked()), encode(&c));
                                        view! {
                                            <a class="switcher-more" href=href on:click=move |ev| {
                                                ev.prevent_default();
                                                set_cursor.set(c.clone());
                                            }>"More tenants…"</a>
                                        }
                                    })}
                                }.into_any()
                            }
                            Err(e) => view! { <div class="switcher-empty">{e.to_string()}</div> }.into_any(),
                        }
                    })}
                </Transition>
            </div>
        </details>
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

/// A destructive row action behind an inline confirmation: a `<details>` whose summary
/// is the action, opening a small dialog with the question and a form that posts the
/// hidden `fields` to `action`. Works without JavaScript (the form posts), and after
/// hydration without a page load.
#[component]
pub fn ConfirmInline<S, P>(
    action: ServerAction<S>,
/// The visible action (`Delete`, `Revoke`, `Remove`).
    summary: &'static str,
/// The summary's accessible name, naming the object (`Delete workspace ide-a`).
    #[prop(into)]
    label: String,
/// The dialog's accessible name (`Confirm deletion`).
    dialog: &'static str,
/// The confirming button (`Yes, delete`).
    confirm: &'static str,
/// Hidden form fields: the server function's arguments.
    fields: Vec<(&'static str, String)>,
/// The question.
    children: Children,
) -> impl IntoView
where
    S: serde::de::DeserializeOwned
        + leptos::server_fn::ServerFn<
            Protocol = leptos::server_fn::Http<leptos::server_fn::codec::PostUrl, P>,
        > + Clone
        + Send
        + Sync
        + 'static,
    <<S::Client as leptos::server_fn::client::Client<S::Error>>::Request as leptos::server_fn::request::ClientReq<
        S::Error,
    >>::FormData: From<leptos::web_sys::FormData>,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
    S::Client: leptos::server_fn::client::Client<S::Error>,
{
    view! {
        <details class="confirm-inline">
            <summary aria-label=label>{summary}</summary>
            <div class="confirm-box" role="dialog" aria-label=dialog>
                <p>{children()}</p>
                <ActionForm action=action attr:class="form-actions">
                    {fields.into_iter().map(|(name, value)| view! { <input type="hidden" name=name value=value/> }).collect_view()}
                    <button class="btn btn-danger btn-sm" type="submit">{confirm}</button>
                </ActionForm>
            </div>
        </details>
    }
}
