//! The audit log page of the active tenant.

use super::api;
use crate::components::*;
use crate::fmt_time;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AuditPage() -> impl IntoView {
    let tenant = tenant_param();
    let cursor = query_param("cursor");
    let data = Resource::new(
        move || (tenant.get(), cursor.get()),
        |(t, c)| api::list_audit(t, non_empty(c)),
    );
    view! {
        <Title text=page_title(tenant, |t| format!("Audit log of {t}"))/>
        <div class="page-header"><h1 class="page-title">"Audit log"</h1></div>
        <p class="page-subtitle">"Every change in this tenant: who, what, when, before and after."</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(page) => {
                        let shown = page.items.len();
                        let rows = page.items.into_iter().map(|e| view! {
                            <tr data-testid="audit-row">
                                <td class="nowrap">{fmt_time(e.at)}</td>
                                <td>{e.actor}</td>
                                <td><code>{e.action}</code></td>
                                <td>{e.target}</td>
                                <td class="mono audit-change">{e.before.unwrap_or_default()}</td>
                                <td class="mono audit-change">{e.after.unwrap_or_default()}</td>
                            </tr>
                        }).collect_view();
                        let has_cursor = !cursor.get_untracked().is_empty();
                        let no_params: Vec<(String, String)> = Vec::new();
                        view! {
                            <div class="table-wrap">
                                {if shown == 0 {
                                    view! { <EmptyState title="No events yet".to_string() hint="Changes made in this tenant appear here.".to_string()/> }.into_any()
                                } else {
                                    view! {
                                        <table class="data-table" aria-label="Audit events">
                                            <thead><tr><th>"When"</th><th>"Who"</th><th>"Action"</th><th>"Target"</th><th>"Before"</th><th>"After"</th></tr></thead>
                                            <tbody>{rows}</tbody>
                                        </table>
                                    }.into_any()
                                }}
                            </div>
                            <Pager next_cursor=page.next_cursor has_cursor=has_cursor shown=shown params=no_params/>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
