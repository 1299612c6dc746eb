//! The lifecycle pages: deleting a tenant (the dry run and the confirmation by name),
//! the progress of a teardown, and the active tenant's alerts.

use super::api::{self, AcknowledgeAlert, DeleteTenant, TeardownView};
use crate::components::*;
use crate::fmt_time;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// A teardown's progress: a bar and the step it is at (the tenants list and the dry run
/// show it; `label` names the tenant for assistive technology).
#[component]
pub fn TeardownProgress(progress: TeardownView, #[prop(into)] label: String) -> impl IntoView {
    let step = (progress.done + 1).min(progress.total);
    view! {
        <div class="teardown" data-testid="teardown-progress">
            <progress max=progress.total value=progress.done aria-label=label></progress>
            <div class="small">
                {format!("Step {step} of {}: {}", progress.total, progress.current)}
            </div>
            {progress.error.map(|e| view! { <div class="small text-error" data-testid="teardown-error">{format!("Retrying: {e}")}</div> })}
        </div>
    }
}

/// Refreshes the page every few seconds without JavaScript, while something runs (with
/// JavaScript, the page polls its server function instead).
#[component]
pub fn RefreshWithoutJs() -> impl IntoView {
    view! { <noscript><meta http-equiv="refresh" content="3"/></noscript> }
}

/// Re-runs `refresh` every 1.5 s in the browser for as long as the page is open; the
/// caller decides from its data whether a refresh is needed.
pub fn poll(refresh: impl Fn() + Clone + 'static) {
    Effect::new(move |_| {
        let refresh = refresh.clone();
        let handle = set_interval_with_handle(refresh, std::time::Duration::from_millis(1500));
        if let Ok(h) = handle {
            on_cleanup(move || h.clear());
        }
    });
}

/// `/admin/tenants/:name/delete`: everything that deleting the tenant will remove, by
/// step, kind and count; the deletion starts once the admin types the tenant's name.
#[component]
pub fn DeleteTenantPage() -> impl IntoView {
    let params = use_params_map();
    let name = Memo::new(move |_| params.read().get("name").unwrap_or_default());
    let delete = form_action::<DeleteTenant>();
    let form = FormState::of(delete);
    let data = Resource::new(move || name.get(), api::teardown_plan);
    view! {
        <Title text=move || format!("Delete tenant {}", name.get())/>
        <div class="page-header">
            <h1 class="page-title">{move || format!("Delete tenant {}", name.get())}</h1>
            <a class="btn" href="/admin/tenants">"All tenants"</a>
        </div>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(plan) => {
                        let tenant = plan.tenant_name.clone();
                        let steps = plan.steps.into_iter().map(|s| {
                            let empty = s.items.iter().all(|(_, n)| *n == 0);
                            view! {
                                <li class:muted=empty data-testid="plan-step">
                                    <strong>{s.label}</strong>
                                    <ul class="plan-items">
                                        {s.items.into_iter().map(|(kind, n)| view! {
                                            <li data-testid="plan-item"><span class="plan-count">{n}</span>" "{kind}</li>
                                        }).collect_view()}
                                    </ul>
                                </li>
                            }
                        }).collect_view();
                        let body = match plan.progress {
                            Some(p) => view! {
                                <section class="card" aria-labelledby="teardown-title">
                                    <h2 class="card-title" id="teardown-title">"Deletion under way"</h2>
                                    <p>{format!("Asked for by {}. The tenant's pages refuse changes until it is gone.", p.requested_by)}</p>
                                    <TeardownProgress progress=p label=format!("Deletion of {tenant}")/>
                                    <p><a href="/admin/tenants">"Follow it on the tenants list"</a></p>
                                </section>
                            }.into_any(),
                            None => {
                                let t = tenant.clone();
                                view! {
                                    <section class="card card-danger" aria-labelledby="confirm-delete-title">
                                        <h2 class="card-title" id="confirm-delete-title">"Confirm the deletion"</h2>
                                        <p>"This cannot be undone. Connected tenants see their connections revoked, with an alert; the tenant's members are logged out at once. Its audit log is kept for global admins for the retention period."</p>
                                        <ActionForm action=delete attr:class="form" attr:aria-label="Delete tenant">
                                            <input type="hidden" name="tenant" value=t.clone()/>
                                            {form.banner(&["confirm"])}
                                            <Field form name="confirm" id="confirm-tenant-name" label=format!("Type {t} to confirm") required=true/>
                                            <div class="form-actions">
                                                <button class="btn btn-danger" type="submit" disabled=move || delete.pending().get()>{format!("Delete tenant {t}")}</button>
                                                <a class="btn btn-ghost" href="/admin/tenants">"Cancel"</a>
                                            </div>
                                        </ActionForm>
                                    </section>
                                }.into_any()
                            }
                        };
                        view! {
                            <p class="page-subtitle">"A dry run: nothing has changed yet. The tenant controller removes these in this order."</p>
                            <section class="card" aria-labelledby="plan-title">
                                <h2 class="card-title" id="plan-title">"What will be removed"</h2>
                                <ol class="plan" data-testid="teardown-plan">{steps}</ol>
                            </section>
                            {body}
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The active tenant's alerts: open ones first by default, acknowledged on request.
#[component]
pub fn AlertsPage() -> impl IntoView {
    let tenant = tenant_param();
    let all = query_param("all");
    let cursor = query_param("cursor");
    let ack = form_action::<AcknowledgeAlert>();
    // The header counts open alerts.
    let refresh_shell = crate::shell::layout::shell_refresher();
    Effect::watch(
        move || ack.version().get(),
        move |_, _, _| refresh_shell(),
        false,
    );
    let data = Resource::new(
        move || (tenant.get(), all.get(), cursor.get(), ack.version().get()),
        |(t, all, c, _)| {
            api::list_alerts(
                t,
                if all == "1" {
                    String::new()
                } else {
                    "1".into()
                },
                non_empty(c),
            )
        },
    );
    view! {
        <Title text=page_title(tenant, |t| format!("Alerts of {t}"))/>
        <div class="page-header"><h1 class="page-title">"Alerts"</h1></div>
        <p class="page-subtitle">"What the system noticed in this tenant: connections revoked by a peer, policies that name a tenant that no longer exists, teardown steps that had to be forced."</p>
        {move || ack.value().get().and_then(Result::err).map(|e| error_banner(Some(e)))}
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let showing_all = all.get_untracked() == "1";
                match data.await {
                    Ok(page) => {
                        let shown = page.items.len();
                        let t = tenant.get_untracked();
                        let can_ack = page.can_ack;
                        let rows = page.items.into_iter().map(|a| {
                            let badge = match a.severity.as_str() {
                                "critical" => "badge badge-error",
                                "warning" => "badge badge-warn",
                                _ => "badge badge-info",
                            };
                            let open = a.acked_at.is_none();
                            let t1 = t.clone();
                            view! {
                                <tr data-testid="alert-row">
                                    <td>
                                        <span class=badge>{a.severity.clone()}</span>" "{a.message.clone()}
                                        <div class="muted small"><code>{a.kind.clone()}</code></div>
                                    </td>
                                    <td>
                                        <div class="nowrap">{fmt_time(a.created_at)}</div>
                                        <div class="muted small">{match (a.acked_at, a.acked_by) {
                                            (Some(at), by) => format!("Acknowledged {} by {}", fmt_time(at), by.unwrap_or_default()),
                                            _ => "Open".to_string(),
                                        }}</div>
                                    </td>
                                    <td class="actions">
                                        {(open && can_ack).then(|| view! {
                                            <ActionForm action=ack attr:class="inline">
                                                <input type="hidden" name="tenant" value=t1/>
                                                <input type="hidden" name="id" value=a.id.clone()/>
                                                <button class="btn btn-sm" type="submit" aria-label=format!("Acknowledge: {}", a.message)>"Acknowledge"</button>
                                            </ActionForm>
                                        })}
                                    </td>
                                </tr>
                            }
                        }).collect_view();
                        let params = vec![("all".to_string(), all.get_untracked())];
                        view! {
                            <div class="toolbar">
                                {if showing_all {
                                    view! { <a class="btn btn-ghost" href="?">"Show open alerts only"</a> }.into_any()
                                } else {
                                    view! { <a class="btn btn-ghost" href="?all=1">"Show acknowledged alerts too"</a> }.into_any()
                                }}
                            </div>
                            <div class="table-wrap">
                                {if shown == 0 {
                                    let title = if showing_all { "No alerts" } else { "No open alerts" };
                                    view! { <EmptyState title=title.to_string() hint="Alerts appear here when the system notices something that needs you.".to_string()/> }.into_any()
                                } else {
                                    view! {
                                        <table class="data-table" aria-label="Alerts">
                                            <thead><tr><th>"Alert"</th><th>"When"</th><th class="actions"><span class="sr-only">"Actions"</span></th></tr></thead>
                                            <tbody>{rows}</tbody>
                                        </table>
                                    }.into_any()
                                }}
                            </div>
                            <Pager next_cursor=page.next_cursor shown=shown limit=20 total=None params=params/>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
