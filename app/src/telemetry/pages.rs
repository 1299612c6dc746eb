//! The tenant's log, metrics and usage pages, and the global archive of deleted
//! tenants' audit logs. Everything is drawn on the server: charts are SVG, downloads
//! are links, filters are GET forms, so each page works without JavaScript.

use super::api::{self, DayPoint};
use crate::components::*;
use crate::{fmt_date, fmt_time, human_bytes};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn LogsPage() -> impl IntoView {
    let tenant = tenant_param();
    let q = query_param("q");
    let source = query_param("source");
    let cursor = query_param("cursor");
    let data = Resource::new(
        move || (tenant.get(), q.get(), source.get(), cursor.get()),
        |(t, q, source, c)| api::list_logs(t, q, source, non_empty(c)),
    );
    view! {
        <Title text=page_title(tenant, |t| format!("Logs of {t}"))/>
        <div class="page-header"><h1 class="page-title">"Logs"</h1></div>
        <p class="page-subtitle">"What the system saw in this tenant: the tenant controller's steps, sign-ins and API use. Changes are in the audit log."</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let (q0, source0) = (q.get_untracked(), source.get_untracked());
                let filtering = !q0.is_empty() || !source0.is_empty();
                let params = vec![("q".to_string(), q0.clone()), ("source".to_string(), source0.clone())];
                let chosen = source0.clone();
                let option = move |value: &'static str, label: &'static str| {
                    let selected = chosen == value;
                    view! { <option value=value selected=selected>{label}</option> }
                };
                let toolbar = view! {
                    <FilterForm label="Search the log" submit="Search" filtering>
                        <FilterField id="logs-q" label="Search" name="q" value=q0.clone() placeholder="email, step, token"/>
                        <div class="field field-narrow"><label for="logs-source">"Source"</label>
                            <select id="logs-source" name="source">
                                {option("", "All sources")}
                                {option("controller", "Tenant controller")}
                                {option("login", "Sign-ins")}
                                {option("api", "API use")}
                            </select>
                        </div>
                    </FilterForm>
                };
                match data.await {
                    Ok(page) => {
                        let shown = page.items.len();
                        let rows = page.items.into_iter().map(|l| {
                            let badge = match l.source.as_str() {
                                "controller" => "badge badge-info",
                                "login" => "badge badge-ok",
                                _ => "badge",
                            };
                            view! {
                                <tr data-testid="log-row">
                                    <td>{l.message}{l.request_id.map(|r| view! { <RequestRef id=r/> })}</td>
                                    <td>
                                        <div class="nowrap">{fmt_time(l.at)}</div>
                                        <span class=badge>{l.source.clone()}</span>
                                    </td>
                                </tr>
                            }
                        }).collect_view();
                        view! {
                            {toolbar}
                            <ListTable label="Log" headers=&["Event", "When and source"] shown=shown filtering=filtering
                                empty=("Nothing logged yet", "Sign-ins, API use and the tenant controller's steps appear here.")
                                no_match=("No matching lines", "No line of the log matches this search.")>
                                {rows}
                            </ListTable>
                            <Pager next_cursor=page.next_cursor shown=shown limit=50 total=None params=params/>
                        }.into_any()
                    }
                    Err(error) => view! { {toolbar} <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `points` as chart bars with tooltips written by `tip`.
fn bars(points: Vec<DayPoint>, tip: impl Fn(i64) -> String) -> Vec<Bar> {
    points
        .into_iter()
        .map(|p| Bar {
            day_start: p.day_start,
            value: p.value,
            tip: format!("{}: {}", fmt_date(p.day_start), tip(p.value)),
        })
        .collect()
}

/// A resource kind (as IAM statements name it) for people: `vrf-contexts` is "VRF contexts".
fn kind_label(kind: &str) -> String {
    match kind {
        "members" => "Members",
        "groups" => "Groups",
        "iam-policies" => "IAM policies",
        "workspaces" => "Workspaces",
        "services" => "Services",
        "network-policies" => "Network policies",
        "connections" => "Active connections",
        "clouds" => "Clouds",
        "vrf-contexts" => "VRF contexts",
        "se-groups" => "SE groups",
        "service-engines" => "Service Engines",
        "api_calls" => "API calls",
        "tenant" => "Tenant",
        other => other,
    }
    .to_string()
}

fn plain(n: i64) -> String {
    n.to_string()
}

#[component]
pub fn MetricsPage() -> impl IntoView {
    let tenant = tenant_param();
    let data = Resource::new(move || tenant.get(), api::tenant_metrics);
    view! {
        <Title text=page_title(tenant, |t| format!("Metrics of {t}"))/>
        <div class="page-header">
            <h1 class="page-title">"Metrics"</h1>
            <a class="btn" href=move || format!("/t/{}/usage", encode(&tenant.get()))>"Usage and export"</a>
        </div>
        <p class="page-subtitle">"What this tenant holds now, and its last 30 days."</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(m) => {
                        let total: i64 = m.counts.iter().map(|(_, n)| n).sum();
                        let active = m.counts.iter().find(|(k, _)| k == "connections").map(|(_, n)| *n).unwrap_or(0);
                        view! {
                            <div class="stat-grid">
                                <div class="stat"><div class="stat-value" data-testid="metric-resources">{total}</div><div class="stat-label">"Resources"</div></div>
                                <div class="stat"><div class="stat-value">{active}</div><div class="stat-label">"Active connections"</div></div>
                                <div class="stat"><div class="stat-value">{m.revoked_connections}</div><div class="stat-label">"Revoked connections"</div></div>
                                <div class="stat"><div class="stat-value" data-testid="metric-api-today">{m.api_calls.last().map(|d| d.value).unwrap_or(0)}</div><div class="stat-label">"API calls today"</div></div>
                            </div>
                            <section class="card">
                                <h2 class="card-title">"Resources by kind"</h2>
                                <CountBars rows=m.counts.into_iter().map(|(k, n)| (kind_label(&k), n)).collect() label="Resources by kind" testid="resource-counts"/>
                            </section>
                            <section class="card">
                                <h2 class="card-title">"Resources per day"</h2>
                                <DayBars bars=bars(m.resources, |n| format!("{n} resources")) what="Resources per day" scale=plain testid="resources-chart"
                                    empty=("No resources yet", "Members, policies, workspaces, clouds and the rest are counted here every hour.")/>
                            </section>
                            <section class="card">
                                <h2 class="card-title">"API calls per day"</h2>
                                <DayBars bars=bars(m.api_calls, |n| format!("{n} API calls")) what="API calls per day" scale=plain testid="api-calls-chart"
                                    empty=("No API calls yet", "Calls of the REST API in this tenant are counted per day (written every few seconds).")/>
                            </section>
                            <section class="card">
                                <h2 class="card-title">"Traffic per day"</h2>
                                <DayBars bars=bars(m.traffic_bytes, human_bytes) what="Bytes per day over all connections" scale=human_bytes testid="tenant-traffic-chart"
                                    empty=("No traffic yet", "Traffic that data planes report for this tenant's connections appears here.")/>
                            </section>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn UsagePage() -> impl IntoView {
    let tenant = tenant_param();
    let from = query_param("from");
    let to = query_param("to");
    let data = Resource::new(
        move || (tenant.get(), from.get(), to.get()),
        |(t, from, to)| api::tenant_usage(t, from, to),
    );
    view! {
        <Title text=page_title(tenant, |t| format!("Usage of {t}"))/>
        <div class="page-header"><h1 class="page-title">"Usage"</h1></div>
        <p class="page-subtitle">"Each resource kind as last counted that day (the console counts every hour), and the day's API calls: what billing reads. Every row is tagged with the tenant's name and ID in the downloads."</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let t = tenant.get_untracked();
                let toolbar = |f: String, u: String| view! {
                    <FilterForm label="Choose the days" submit="Show">
                        <FilterField id="usage-from" label="From" name="from" value=f kind="date" narrow=true/>
                        <FilterField id="usage-to" label="To" name="to" value=u kind="date" narrow=true/>
                    </FilterForm>
                };
                match data.await {
                    Ok(u) => {
                        let file = format!("usage-{t}-{}-{}", u.from, u.to);
                        // Without any kind recorded, there is no usage to show for any day.
                        let shown = if u.kinds.is_empty() { 0 } else { u.days.len() };
                        let rows = u.days.into_iter().map(|(day, values)| view! {
                            <tr data-testid="usage-row">
                                <td class="nowrap">{day}</td>
                                {values.into_iter().map(|v| view! { <td class="num">{v}</td> }).collect_view()}
                            </tr>
                        }).collect_view();
                        view! {
                            {toolbar(u.from.clone(), u.to.clone())}
                            <div class="toolbar">
                                <a class="btn" href=u.csv_href download=format!("{file}.csv") data-testid="usage-csv">"Download CSV"</a>
                                <a class="btn btn-ghost" href=u.json_href download=format!("{file}.json") data-testid="usage-json">"Download JSON"</a>
                            </div>
                            <ListTable label="Usage per day" headers=&["Day"] more_headers=u.kinds.iter().map(|k| kind_label(k)).collect() shown=shown filtering=false
                                empty=("No usage recorded for these days", "The tenant controller counts this tenant's resources every hour; API calls are added as they happen.")
                                no_match=("", "")>
                                {rows}
                            </ListTable>
                        }.into_any()
                    }
                    Err(error) => view! { {toolbar(from.get_untracked(), to.get_untracked())} <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Global admins: the deleted tenants whose audit logs are kept, and one's log.
#[component]
pub fn ArchivePage() -> impl IntoView {
    let tenant = query_param("tenant");
    let cursor = query_param("cursor");
    let data = Resource::new(
        move || (tenant.get(), cursor.get()),
        |(t, c)| api::audit_archives(t, non_empty(c)),
    );
    view! {
        <Title text="Archived audit logs"/>
        <div class="page-header"><h1 class="page-title">"Archived audit logs"</h1></div>
        <p class="page-subtitle">"The audit logs of deleted tenants, kept for the retention period (TENANTRY_AUDIT_RETENTION_DAYS)."</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let chosen = tenant.get_untracked();
                match data.await {
                    Ok(a) => {
                        let name = a.tenants.iter().find(|t| t.id == chosen).map(|t| t.name.clone());
                        let count = a.tenants.len();
                        let list = a.tenants.into_iter().map(|t| {
                            let current = t.id == chosen;
                            view! {
                                <tr data-testid="archive-row">
                                    <td class="name"><a href=format!("?tenant={}", t.id) aria-current=current.then_some("true")>{t.name}</a><div class="muted small"><code>{t.id}</code></div></td>
                                    <td class="nowrap">{fmt_time(t.deleted_at)}</td>
                                    <td>{t.events}</td>
                                </tr>
                            }
                        }).collect_view();
                        let shown = a.events.len();
                        let events = a.events.into_iter().map(|e| view! {
                            <tr data-testid="archived-event">
                                <td class="nowrap">{fmt_time(e.at)}</td>
                                <td class="audit-actor">{e.actor}</td>
                                <td><code>{e.action}</code></td>
                                <td class="name">{e.target}</td>
                                <td class="audit-change"><div class="clamp-2">{e.summary}</div></td>
                            </tr>
                        }).collect_view();
                        view! {
                            <ListTable label="Deleted tenants" headers=&["Tenant", "Deleted", "Events"] shown=count filtering=false
                                empty=("No archived logs", "When a tenant is deleted, its audit log is kept here for the retention period.")
                                no_match=("", "")>
                                {list}
                            </ListTable>
                            {name.map(|n| view! {
                                <h2 class="card-title archive-title">"Audit log of "{n}</h2>
                                <ListTable label="Archived audit events" headers=&["When", "Who", "Action", "Object", "Change"] shown=shown filtering=false
                                    empty=("No events", "This tenant's archive holds no record.")
                                    no_match=("", "")>
                                    {events}
                                </ListTable>
                                <Pager next_cursor=a.next_cursor shown=shown limit=25 total=None params=vec![("tenant".to_string(), chosen.clone())]/>
                            })}
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
