//! The frame of every tenant page: the header with the tenant switcher and the user
//! menu, the side navigation, and the page itself.

use super::api::{self, ActiveTenant, SwitcherData};
use crate::components::*;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

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
                Ok(c) if c.global_admin => format!("admin ({})", c.name),
                Ok(c) => c.name,
                Err(_) => "Choose a tenant".to_string(),
            }
        })
    };
    let open = !tq.get_untracked().is_empty() || !tc.get_untracked().is_empty();
    let list_tenant = tenant_now.clone();
    let list = move |items: Vec<api::TenantLink>| {
        let current = list_tenant();
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
                    {move || {
                        let tenant_now = tenant_now.clone();
                        let list = list.clone();
                        Suspend::new(async move {
                        match data.await {
                            Ok(SwitcherData { recent, results, next_cursor }) => {
                                // Recent means the *other* tenants you used; the current one is
                                // already marked in the list below.
                                let here = tenant_now();
                                let recent: Vec<_> = recent.into_iter().filter(|t| t.name != here).collect();
                                let no_results = results.is_empty();
                                view! {
                                    {(!recent.is_empty()).then(|| view! {
                                        <div class="switcher-section">"Recent"</div>
                                        <ul class="switcher-list" aria-label="Recent tenants">{list(recent)}</ul>
                                    })}
                                    <div class="switcher-section">{if q.try_get_untracked().unwrap_or_default().is_empty() { "All tenants" } else { "Matching tenants" }}</div>
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
                    })}}
                </Transition>
            </div>
        </details>
    }
}
