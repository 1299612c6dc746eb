//! The audit log page of the active tenant: filters, a one-line summary per event, and
//! the change itself as a diff behind a disclosure.

use super::api;
use crate::components::*;
use crate::fmt_time;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AuditPage() -> impl IntoView {
    let tenant = tenant_param();
    let cursor = query_param("cursor");
    let actor = query_param("actor");
    let action = query_param("action");
    let target = query_param("target");
    let from = query_param("from");
    let until = query_param("until");
    let request = query_param("request");
    let data = Resource::new(
        move || {
            (
                tenant.get(),
                cursor.get(),
                actor.get(),
                action.get(),
                target.get(),
                from.get(),
                until.get(),
                request.get(),
            )
        },
        |(t, c, actor, action, target, from, until, request)| {
            api::list_audit(t, non_empty(c), actor, action, target, from, until, request)
        },
    );
    view! {
        <Title text=page_title(tenant, |t| format!("Audit log of {t}"))/>
        <div class="page-header"><h1 class="page-title">"Audit log"</h1></div>
        <p class="page-subtitle">"Every change in this tenant: who, what, when, before and after."</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let filters = [
                    ("actor", actor.get_untracked()),
                    ("action", action.get_untracked()),
                    ("target", target.get_untracked()),
                    ("from", from.get_untracked()),
                    ("until", until.get_untracked()),
                    ("request", request.get_untracked()),
                ];
                let filtering = filters.iter().any(|(_, v)| !v.is_empty());
                let params: Vec<(String, String)> = filters.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
                let value = move |k: &str| filters.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone()).unwrap_or_default();
                let toolbar = view! {
                    <FilterForm label="Filter the audit log" submit="Filter" filtering>
                        <FilterField id="audit-actor" label="Who" name="actor" value=value("actor") placeholder="email or token"/>
                        <FilterField id="audit-action" label="Action" name="action" value=value("action") placeholder="e.g. member."/>
                        <FilterField id="audit-target" label="Object" name="target" value=value("target") placeholder="name"/>
                        <FilterField id="audit-from" label="From" name="from" value=value("from") kind="date" narrow=true/>
                        <FilterField id="audit-until" label="Until" name="until" value=value("until") kind="date" narrow=true/>
                        <FilterField id="audit-request" label="Request ID" name="request" value=value("request") placeholder="X-Request-Id"/>
                    </FilterForm>
                };
                match data.await {
                    Ok(page) => {
                        let shown = page.items.len();
                        let rows = page.items.into_iter().map(|e| {
                            let has_diff = !e.diff.is_empty();
                            view! {
                                <tr data-testid="audit-row">
                                    <td class="nowrap">{fmt_time(e.at)}</td>
                                    <td class="audit-actor">{e.actor}{e.via.map(|v| view! { <div class="muted small" data-testid="audit-via">{v}</div> })}</td>
                                    <td><code>{e.action}</code></td>
                                    <td class="name">{e.target}</td>
                                    <td class="audit-change">
                                        <div class="clamp-2" data-testid="audit-summary">{e.summary}</div>
                                        {e.request_id.map(|r| {
                                            let filter = format!("?request={}", encode(&r));
                                            view! { <RequestRef id=r filter/> }
                                        })}
                                        {has_diff.then(|| view! {
                                            <details class="audit-detail">
                                                <summary>"Show change"</summary>
                                                <Diff lines=e.diff testid="audit-diff"/>
                                            </details>
                                        })}
                                    </td>
                                </tr>
                            }
                        }).collect_view();
                        view! {
                            {toolbar}
                            <ListTable label="Audit events" headers=&["When", "Who", "Action", "Object", "Change"] shown=shown filtering=filtering
                                empty=("No events yet", "Changes made in this tenant appear here.")
                                no_match=("No matching events", "No event matches these filters.")>
                                {rows}
                            </ListTable>
                            <Pager next_cursor=page.next_cursor shown=shown limit=25 total=page.total params=params/>
                        }.into_any()
                    }
                    Err(error) => view! { {toolbar} <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
