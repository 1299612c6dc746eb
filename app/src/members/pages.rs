//! The Members page of the active tenant.

use super::api::{self, AddMember, ChangeMemberRole, RemoveMember};
use crate::components::*;
use crate::fmt_time;
use leptos::prelude::*;
use leptos_meta::Title;
use policy::Role;

#[component]
pub fn MembersPage() -> impl IntoView {
    let tenant = tenant_param();
    let q = query_param("q");
    let cursor = query_param("cursor");
    let add = form_action::<AddMember>();
    let change = form_action::<ChangeMemberRole>();
    let remove = form_action::<RemoveMember>();
    let data = Resource::new(
        move || {
            (
                tenant.get(),
                q.get(),
                cursor.get(),
                add.version().get(),
                change.version().get(),
                remove.version().get(),
            )
        },
        |(t, q, c, ..)| api::list_members(t, q, non_empty(c)),
    );
    let add_state = FormState::of(add);
    let add_form_ref = NodeRef::<leptos::html::Form>::new();
    reset_on_success(add, add_form_ref);
    let action_error = move || {
        change
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| remove.value().get().and_then(Result::err))
    };
    view! {
        <Title text=page_title(tenant, |t| format!("Members of {t}"))/>
        <div class="page-header">
            <h1 class="page-title">"Members"</h1>
        </div>
        <p class="page-subtitle">"People who belong to " <strong>{move || tenant.get()}</strong> ", and their role."</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(page) => {
                        let shown = page.items.len();
                        let can_manage = page.can_manage;
                        let grantable = page.grantable.clone();
                        let grantable_form = page.grantable.clone();
                        let me = page.my_user_id.clone();
                        let t = tenant.get_untracked();
                        let t_form = t.clone();
                        let add_form = can_manage.then(move || {
                            // A member with no role is invited from a group's page, where
                            // the group that gives them access is chosen in the same step.
                            let roles: Vec<Role> = grantable_form.into_iter().filter(|r| *r != Role::Member).collect();
                            view! {
                                <section class="card" aria-labelledby="add-member-title">
                                    <h2 class="card-title" id="add-member-title">"Add a member"</h2>
                                    <ActionForm action=add node_ref=add_form_ref attr:class="form" attr:aria-label="Add member">
                                        <input type="hidden" name="tenant" value=t_form/>
                                        {add_state.banner(&["email", "role"])}
                                        <Success action=add message=|email: &String| (format!("{email} added."), None)/>
                                        <div class="form-row">
                                            <Field form=add_state name="email" id="member-email" label="Email" kind="email" required=true placeholder="name@example.com"/>
                                            <div class="field">
                                                <label for="member-role">"Role"</label>
                                                <select id="member-role" name="role">
                                                    {
                                                        let chosen = add_state.kept("role").unwrap_or_else(|| Role::Viewer.as_str().to_string());
                                                        roles.into_iter().map(|r| view! { <option value=r.as_str() selected=r.as_str() == chosen>{r.label()}</option> }).collect_view()
                                                    }
                                                </select>
                                                <FieldError id="member-role-error" message=add_state.field_error("role")/>
                                            </div>
                                        </div>
                                        <p class="field-hint">"New members show as pending until they next sign in; someone new joins at their first sign-in with this address, once their identity provider has verified it. To give someone access through a group only, with no role, invite them from the group's page."</p>
                                        <div class="form-actions">
                                            <button class="btn btn-primary" type="submit" disabled=move || add.pending().get()>"Add member"</button>
                                        </div>
                                    </ActionForm>
                                </section>
                            }
                        });
                        let rows = page.items.into_iter().map(|m| {
                            let is_me = m.user_id == me;
                            let editable = can_manage && !is_me && grantable.contains(&m.role);
                            let email = m.email.clone();
                            let t1 = t.clone();
                            let t2 = t.clone();
                            let roles = grantable.clone();
                            let uid1 = m.user_id.clone();
                            let uid2 = m.user_id.clone();
                            view! {
                                <tr data-testid="member-row">
                                    <td>
                                        {m.email.clone()}
                                        {is_me.then(|| view! { " " <span class="badge badge-info">"you"</span> })}
                                        {m.pending.then(|| view! { " " <span class="badge badge-warn" title="Has not signed in since being added">"pending"</span> })}
                                    </td>
                                    <td>{if m.name.is_empty() { "—".to_string() } else { m.name.clone() }}</td>
                                    <td>
                                        {if editable {
                                            let current = m.role;
                                            view! {
                                                <ActionForm action=change attr:class="row">
                                                    <input type="hidden" name="tenant" value=t1/>
                                                    <input type="hidden" name="user_id" value=uid1/>
                                                    <select name="role" aria-label=format!("Role of {email}")>
                                                        {roles.into_iter().map(|r| view! { <option value=r.as_str() selected=r == current>{r.label()}</option> }).collect_view()}
                                                    </select>
                                                    <button class="btn btn-sm" type="submit">"Save role"</button>
                                                </ActionForm>
                                            }.into_any()
                                        } else {
                                            view! { <span class="badge badge-muted">{m.role.label()}</span> }.into_any()
                                        }}
                                    </td>
                                    <td class="nowrap">{fmt_time(m.added_at)}</td>
                                    <td class="actions">
                                        {editable.then(|| view! {
                                            <Confirm action=remove summary="Remove" label=format!("Remove {}", m.email) dialog="Confirm removal" confirm="Yes, remove"
                                                fields=vec![("tenant", t2), ("user_id", uid2)]>
                                                "Remove " <strong>{m.email.clone()}</strong> " from this tenant? They lose access immediately."
                                            </Confirm>
                                        })}
                                    </td>
                                </tr>
                            }
                        }).collect_view();
                        let search_value = q.get_untracked();
                        let empty = shown == 0;
                        let params = vec![("q".to_string(), q.get_untracked())];
                        view! {
                            {add_form}
                            {move || action_error().map(|e| view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> })}
                            <Success action=change message=|_: &()| ("Role saved.".to_string(), None)/>
                            <Success action=remove message=|_: &()| ("Member removed.".to_string(), None)/>
                            <div class="toolbar">
                                <form class="search" method="get" role="search">
                                    <input type="search" name="q" value=search_value aria-label="Search members" placeholder="Search by email or name"/>
                                    <button class="btn" type="submit">"Search"</button>
                                </form>
                            </div>
                            <div class="table-wrap">
                                {if empty {
                                    let hint = if q.get_untracked().is_empty() { "Add someone with the form above." } else { "No member matches this search." };
                                    view! { <EmptyState title="No members".to_string() hint=hint.to_string()/> }.into_any()
                                } else {
                                    view! {
                                        <table class="data-table" aria-label="Members">
                                            <thead><tr><th>"Email"</th><th>"Name"</th><th>"Role"</th><th>"Added"</th><th class="actions"><span class="sr-only">"Actions"</span></th></tr></thead>
                                            <tbody>{rows}</tbody>
                                        </table>
                                    }.into_any()
                                }}
                            </div>
                            <Pager next_cursor=page.next_cursor shown=shown limit=20 total=page.total params=params/>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
