//! The frame of every tenant page: the header with the tenant switcher and the user
//! menu, the side navigation, and the page itself.

use super::api::{self, ActiveTenant, SwitcherData};
use crate::components::*;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// The page frame inside a tenant: header with the tenant switcher and user menu, side
/// navigation, and the page itself.
/// The console's name in the header, linking home.
#[component]
pub fn Brand() -> impl IntoView {
    view! {
        <a class="brand" href="/" aria-label="Tenantry home"><span class="brand-mark" aria-hidden="true"></span><span class="brand-name">"Tenantry"</span></a>
    }
}

/// Bumped by a page whose change shows in the frame (acknowledging an alert changes the
/// header's count): the frame reads its context again.
/// Provided by the route that holds the frame (not by the frame itself), as the pages
/// of nested routes see the contexts of their parent route.
#[derive(Clone, Copy)]
pub struct ShellRefresh(RwSignal<usize>);

impl ShellRefresh {
    pub fn provide() {
        provide_context(ShellRefresh(RwSignal::new(0)));
    }
}

/// For a page, while it is made: what makes the frame around it read its context again
/// (see [`ShellRefresh`]).
pub fn shell_refresher() -> impl Fn() + Clone + 'static {
    let shell = use_context::<ShellRefresh>();
    move || {
        if let Some(ShellRefresh(n)) = shell {
            n.update(|n| *n += 1);
        }
    }
}

#[component]
pub fn AppShell(
    /// A global page (`/admin/…`) rather than a tenant's.
    global: bool,
    children: Children,
) -> impl IntoView {
    let tenant = tenant_param();
    let refresh = use_context::<ShellRefresh>()
        .map(|ShellRefresh(n)| n)
        .unwrap_or_else(|| RwSignal::new(0));
    let ctx = Resource::new(
        move || (tenant.get(), refresh.get()),
        move |(t, _)| async move {
            if global {
                api::global_context().await
            } else {
                api::tenant_context(t).await
            }
        },
    );
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
    let global_link = move |href: &'static str, label: &'static str| {
        view! {
            <a class="nav-link" href=href aria-current=move || current(href.to_string())>{label}</a>
        }
    };
    // Below the narrow-screen breakpoint the navigation hides behind a menu button: a
    // checkbox and its label, so it opens without JavaScript too. A navigation closes it.
    let menu = NodeRef::<leptos::html::Input>::new();
    Effect::watch(
        move || location.pathname.get(),
        move |_, _, _| {
            if let Some(m) = menu.get_untracked() {
                m.set_checked(false);
            }
        },
        false,
    );
    view! {
        <a class="skip-link" href="#main">"Skip to main content"</a>
        <div class="shell">
            <input type="checkbox" id="nav-toggle" class="nav-toggle" node_ref=menu aria-controls="sidenav"/>
            <header class="topbar">
                <label for="nav-toggle" class="menu-button" title="Menu" data-testid="menu-button"><span class="menu-icon" aria-hidden="true"></span><span class="sr-only">"Menu"</span></label>
                <Brand/>
                <TenantSwitcher ctx/>
                <div class="topbar-spacer"></div>
                <div class="user-menu">
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            ctx.await.ok().map(|c| view! {
                                {(c.alerts_unread > 0).then(|| {
                                    let n = c.alerts_unread;
                                    view! {
                                        <a class="badge badge-warn" href=format!("/t/{}/alerts", encode(&c.name)) data-testid="alerts-unread" title="Alerts not acknowledged yet" aria-label=format!("Alerts: {n} not acknowledged")>
                                            {n}<span class="alerts-word">{if n == 1 { " alert" } else { " alerts" }}</span>
                                        </a>
                                    }
                                })}
                                {(!c.can_manage).then(|| view! { <span class="badge badge-muted" data-testid="read-only" title="You can look, not change">"read-only"</span> })}
                                <span class="user-email" data-testid="user-email" title=c.user_email.clone()>{c.user_email.clone()}</span>
                            })
                        })}
                    </Transition>
                    <form class="inline" method="post" action="/auth/logout">
                        <button class="btn btn-ghost" type="submit">"Log out"</button>
                    </form>
                </div>
            </header>
            <div class="layout">
                <nav class="sidenav" id="sidenav" aria-label="Main">
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            let readable = ctx.await.map(|c| c.readable).unwrap_or_default();
                            let can = |ty: &str| readable.iter().any(|r| r == ty);
                            // Each section shows the links its reader may follow, and no
                            // heading without links.
                            let section = |title: &'static str, links: Vec<(&'static str, &'static str, &'static str)>| {
                                let links: Vec<_> = links.into_iter().filter(|(_, _, ty)| can(ty)).collect();
                                (!links.is_empty()).then(|| view! {
                                    <div class="nav-section">{title}</div>
                                    {links.into_iter().map(|(suffix, label, _)| nav_link(suffix, label)).collect_view()}
                                })
                            };
                            (!global).then(|| view! {
                                <div class="nav-section">"Tenant"</div>
                                {nav_link("", "Dashboard")}
                                {can("members").then(|| nav_link("/members", "Members"))}
                                {can("audit-events").then(|| nav_link("/audit", "Audit log"))}
                                {can("alerts").then(|| nav_link("/alerts", "Alerts"))}
                                {can("metrics").then(|| nav_link("/metrics", "Metrics"))}
                                {can("logs").then(|| nav_link("/logs", "Logs"))}
                                {section("NCS Networking", vec![
                                    ("/connections", "Cross-Tenant Connections", "connections"),
                                    ("/workspaces", "Workspaces", "workspaces"),
                                    ("/services", "Services", "services"),
                                    ("/network-policies", "Network Policies", "network-policies"),
                                ])}
                                {section("Identity", vec![
                                    ("/iam-policies", "IAM Policies", "iam-policies"),
                                    ("/groups", "Groups", "groups"),
                                    ("/iam-simulator", "IAM Simulator", "iam-policies"),
                                ])}
                                {section("Infrastructure", vec![("/clouds", "Clouds", "clouds")])}
                            })
                        })}
                    </Transition>
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            ctx.await.ok().filter(|c| c.global_admin).map(|_| view! {
                                <div class="nav-section">"Global"</div>
                                {global_link("/admin/tenants", "Tenants")}
                                {global_link("/admin/connection-map", "Connection map")}
                                {global_link("/admin/archive", "Archived logs")}
                            })
                        })}
                    </Transition>
                    {global.then(|| view! {
                        <div class="nav-section">"Tenants"</div>
                        <a class="nav-link" href="/">"Back to your tenant"</a>
                    })}
                </nav>
                <main class="content" id="main" tabindex="-1">
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            ctx.await.ok().map(|c| view! {
                                {c.deleting.then(|| view! {
                                    <div class="alert alert-warning" role="status" data-testid="deleting-banner">
                                        {format!("{} is being deleted: nothing in it can be changed.", c.name)}
                                    </div>
                                })}
                                {c.admitted_from.clone().map(|home| view! {
                                    <div class="alert alert-info" role="status" data-testid="admitted-banner">
                                        {format!("You are in {} through {home}'s cross-access policy.", c.name)}
                                    </div>
                                })}
                            })
                        })}
                    </Transition>
                    {children()}
                </main>
            </div>
        </div>
    }
}

/// The header's tenant switcher. It shows `admin (tenant)` for a global admin, as Avi
/// does, searches server-side as you type, lists recent tenants with their labels, and
/// keeps the current page when switching. Without JavaScript it is a `<details>` with a
/// GET search form and links.
///
/// With JavaScript it follows the ARIA combobox pattern: opening it focuses the search
/// box, the arrow keys move through the tenants, Enter switches, and Escape or a click
/// outside closes it (focus goes back to the button after Escape).
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
    let details = NodeRef::<leptos::html::Details>::new();
    let search = NodeRef::<leptos::html::Input>::new();
    let summary = NodeRef::<leptos::html::Summary>::new();
    // The highlighted option (keyboard), and how many options are listed.
    let active = RwSignal::new(None::<usize>);
    let count = RwSignal::new(0usize);
    let close = move |refocus: bool| {
        if let Some(d) = details.get_untracked() {
            let _ = d.remove_attribute("open");
        }
        if refocus {
            if let Some(s) = summary.get_untracked() {
                let _ = s.focus();
            }
        }
    };
    // Any navigation (a switch, or a link elsewhere) closes the panel and clears the search.
    Effect::watch(
        move || location.pathname.get(),
        move |_, _, _| {
            set_q.set(String::new());
            set_cursor.set(String::new());
            active.set(None);
            close(false);
        },
        false,
    );
    // A click outside closes it.
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        let handle = window_event_listener(leptos::ev::click, move |ev| {
            let (Some(d), Some(target)) = (details.get_untracked(), ev.target()) else {
                return;
            };
            let inside = target
                .dyn_ref::<leptos::web_sys::Node>()
                .is_some_and(|n| d.contains(Some(n)));
            if !inside && d.open() {
                close(false);
            }
        });
        on_cleanup(move || handle.remove());
    }
    let on_toggle = move |_| {
        if details.get_untracked().is_some_and(|d| d.open()) {
            if let Some(s) = search.get_untracked() {
                let _ = s.focus();
            }
        }
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let n = count.get_untracked();
        match ev.key().as_str() {
            "ArrowDown" if n > 0 => {
                ev.prevent_default();
                active.update(|a| *a = Some(a.map_or(0, |i| (i + 1).min(n - 1))));
            }
            "ArrowUp" if n > 0 => {
                ev.prevent_default();
                active.update(|a| *a = Some(a.map_or(0, |i| i.saturating_sub(1))));
            }
            "Enter" => {
                ev.prevent_default();
                let pick = active.get_untracked().or((n == 1).then_some(0));
                if let Some(i) = pick {
                    if let Some(el) = document().get_element_by_id(&option_id(i)) {
                        use leptos::wasm_bindgen::JsCast;
                        if let Some(el) = el.dyn_ref::<leptos::web_sys::HtmlElement>() {
                            el.click();
                        }
                    }
                }
            }
            "Escape" => {
                ev.prevent_default();
                close(true);
            }
            _ => {}
        }
    };
    // Read after the awaits below, so through readers that survive disposal.
    let tenant_now = memo_or_initial(tenant);
    let path_now = memo_or_initial(location.pathname);
    // The page within the tenant (`/members`…), kept when switching.
    let rest = {
        let tenant_now = tenant_now.clone();
        move || {
            let path = path_now();
            let prefix = format!("/t/{}", tenant_now());
            path.strip_prefix(&prefix).unwrap_or("").to_string()
        }
    };
    let label = move || {
        Suspend::new(async move {
            match ctx.await {
                Ok(c) if c.global_admin && c.name.is_empty() => "admin (all tenants)".to_string(),
                Ok(c) if c.global_admin => format!("admin ({})", c.name),
                Ok(c) => c.name,
                Err(_) => "Choose a tenant".to_string(),
            }
        })
    };
    let open = !tq.get_untracked().is_empty() || !tc.get_untracked().is_empty();
    let list_tenant = tenant_now.clone();
    // One option: a link, numbered across both lists for the keyboard.
    let option = move |index: usize, t: api::TenantLink| {
        let href = format!("/t/{}{}", t.name, rest());
        let is_current = (t.name == list_tenant()).then_some("true");
        let labels = t.labels.join(" ");
        view! {
            <li role="none">
                <a href=href id=option_id(index) role="option" aria-current=is_current
                    class:active=move || active.get() == Some(index)
                    aria-selected=move || (active.get() == Some(index)).to_string()>
                    <span data-testid="switcher-item">{t.name}</span>
                    {(!labels.is_empty()).then(|| view! { <span class="switcher-labels">{labels}</span> })}
                </a>
            </li>
        }
    };
    view! {
        <details class="switcher" data-testid="tenant-switcher" open=open node_ref=details on:toggle=on_toggle>
            <summary class="switcher-button" aria-label="Switch tenant" data-testid="switcher-button" node_ref=summary><Transition fallback=|| "Tenant">{label}</Transition></summary>
            <div class="switcher-panel">
                <form method="get" role="search" on:submit=|ev| ev.prevent_default()>
                    <input
                        class="switcher-search"
                        type="search"
                        name="tq"
                        node_ref=search
                        placeholder="Search tenants…"
                        aria-label="Search tenants"
                        role="combobox"
                        aria-autocomplete="list"
                        aria-expanded="true"
                        aria-controls="switcher-options"
                        aria-activedescendant=move || active.get().map(option_id)
                        autocomplete="off"
                        prop:value=move || q.get()
                        on:keydown=on_key
                        on:input=move |ev| {
                            set_cursor.set(String::new());
                            active.set(None);
                            set_q.set(event_target_value(&ev));
                        }
                    />
                </form>
                <div id="switcher-options" role="listbox" aria-label="Tenants">
                <Transition fallback=|| view! { <div class="switcher-empty">"Searching…"</div> }>
                    {move || {
                        let tenant_now = tenant_now.clone();
                        let option = option.clone();
                        Suspend::new(async move {
                        match data.await {
                            Ok(SwitcherData { recent, admitted, results, next_cursor }) => {
                                // Recent means the *other* tenants you used; the current one is
                                // already marked in the list below.
                                let here = tenant_now();
                                let recent: Vec<_> = recent.into_iter().filter(|t| t.name != here).collect();
                                let no_results = results.is_empty();
                                let first_result = recent.len();
                                let first_admitted = first_result + results.len();
                                count.set(recent.len() + results.len() + admitted.len());
                                let admitted_view = (!admitted.is_empty()).then(|| {
                                    let option = option.clone();
                                    view! {
                                        <div class="switcher-section" role="presentation">"Admitted"</div>
                                        <ul class="switcher-list" role="group" aria-label="Admitted tenants" data-testid="switcher-admitted">
                                            {admitted.into_iter().enumerate().map(|(i, (mut t, verb))| {
                                                t.labels = vec![format!("{verb} access")];
                                                option(first_admitted + i, t)
                                            }).collect_view()}
                                        </ul>
                                    }
                                });
                                let recent_view = (!recent.is_empty()).then(|| {
                                    let option = option.clone();
                                    view! {
                                        <div class="switcher-section" role="presentation">"Recent"</div>
                                        <ul class="switcher-list" role="group" aria-label="Recent tenants">
                                            {recent.into_iter().enumerate().map(|(i, t)| option(i, t)).collect_view()}
                                        </ul>
                                    }
                                });
                                view! {
                                    {recent_view}
                                    <div class="switcher-section" role="presentation">{if q.try_get_untracked().unwrap_or_default().is_empty() { "All tenants" } else { "Matching tenants" }}</div>
                                    {if no_results {
                                        view! { <div class="switcher-empty" role="presentation">"No tenant matches."</div> }.into_any()
                                    } else {
                                        view! {
                                            <ul class="switcher-list" role="group" aria-label="All tenants">
                                                {results.into_iter().enumerate().map(|(i, t)| option(first_result + i, t)).collect_view()}
                                            </ul>
                                        }.into_any()
                                    }}
                                    {next_cursor.map(|c| {
                                        let href = format!("?tq={}&tc={}", encode(&q.get_untracked()), encode(&c));
                                        view! {
                                            <a class="switcher-more" href=href role="presentation" on:click=move |ev| {
                                                ev.prevent_default();
                                                set_cursor.set(c.clone());
                                            }>"More tenants…"</a>
                                        }
                                    })}
                                    {admitted_view}
                                }.into_any()
                            }
                            Err(e) => view! { <div class="switcher-empty" role="presentation">{e.to_string()}</div> }.into_any(),
                        }
                    })}}
                </Transition>
                </div>
            </div>
        </details>
    }
}

/// The element id of the switcher's option `i`.
fn option_id(i: usize) -> String {
    format!("switcher-opt-{i}")
}
