//! The Groups pages of the active tenant: the groups its IAM statements name, and their
//! members. Server functions first, then the two pages (list, one group).

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use {crate::components::empty_to_none, crate::ssr::scope, domain::iam};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupRow {
    pub name: String,
    pub description: String,
    pub members: i64,
    pub created_at: i64,
    pub created_by: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupsData {
    pub items: Vec<GroupRow>,
    pub next_cursor: Option<String>,
    pub total: Option<i64>,
    pub can_create: bool,
    pub can_delete: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupMemberRow {
    pub user_id: String,
    pub email: String,
    pub name: String,
    pub source: String,
    pub added_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupView {
    pub group: GroupRow,
    pub members: Vec<GroupMemberRow>,
    pub can_edit: bool,
    /// May invite someone into the tenant from here (as a member with no role).
    pub can_invite: bool,
    pub can_delete: bool,
}

#[cfg(feature = "ssr")]
fn row(g: iam::Group) -> GroupRow {
    GroupRow {
        name: g.name,
        description: g.description,
        members: g.members,
        created_at: g.created_at,
        created_by: g.created_by,
    }
}

#[server(prefix = "/fn", endpoint = "list_groups")]
pub async fn list_groups(
    tenant: String,
    q: String,
    cursor: Option<String>,
) -> Result<GroupsData, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("list_groups", &tenant).await?;
        let page = iam::list_groups(
            &ctx.db,
            &scope,
            &q,
            empty_to_none(cursor).as_deref(),
            Some(20),
        )
        .await?;
        Ok(GroupsData {
            items: page.items.into_iter().map(row).collect(),
            next_cursor: page.next_cursor,
            total: page.total,
            can_create: scope.allows("GROUP_CREATE"),
            can_delete: scope.allows("GROUP_DELETE"),
        })
    })
    .await
}

#[server(prefix = "/fn", endpoint = "group_page")]
pub async fn group_page(tenant: String, name: String) -> Result<GroupView, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("group_page", &tenant).await?;
        let d = iam::get_group(&ctx.db, &scope, &name).await?;
        Ok(GroupView {
            group: row(d.group),
            members: d
                .members
                .into_iter()
                .map(|m| GroupMemberRow {
                    user_id: m.user_id.to_string(),
                    email: m.email,
                    name: m.name,
                    source: m.source,
                    added_at: m.added_at,
                })
                .collect(),
            can_edit: scope.allows("GROUP_UPDATE"),
            can_invite: scope.allows("MEMBER_CREATE"),
            can_delete: scope.allows("GROUP_DELETE"),
        })
    })
    .await
}

/// Creates a group and opens it.
#[server(prefix = "/fn", endpoint = "create_group")]
pub async fn create_group(
    tenant: String,
    name: String,
    description: String,
) -> Result<String, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("create_group", &tenant).await?;
        let g = iam::create_group(&ctx.db, &scope, &name, &description).await?;
        leptos_axum::redirect(&format!(
            "/t/{}/groups/{}",
            crate::components::encode(scope.tenant_name()),
            crate::components::encode(&g.name)
        ));
        Ok(g.name)
    })
    .await
}

/// Deletes a group, then goes back to the list.
#[server(prefix = "/fn", endpoint = "delete_group")]
pub async fn delete_group(tenant: String, name: String) -> Result<String, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("delete_group", &tenant).await?;
        let g = iam::delete_group(&ctx.db, &scope, &name).await?;
        leptos_axum::redirect(&format!(
            "/t/{}/groups?deleted={}",
            crate::components::encode(scope.tenant_name()),
            crate::components::encode(&g.name)
        ));
        Ok(g.name)
    })
    .await
}

#[server(prefix = "/fn", endpoint = "add_group_member")]
pub async fn add_group_member(
    tenant: String,
    name: String,
    email: String,
    invite: Option<String>,
) -> Result<String, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("add_group_member", &tenant).await?;
        let added = if crate::components::checked(&invite) {
            iam::invite_to_group(&ctx.db, &scope, &name, &email).await?
        } else {
            iam::add_group_member(&ctx.db, &scope, &name, &email).await?
        };
        Ok(added.email)
    })
    .await
}

#[server(prefix = "/fn", endpoint = "remove_group_member")]
pub async fn remove_group_member(
    tenant: String,
    name: String,
    user_id: String,
) -> Result<(), AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("remove_group_member", &tenant).await?;
        let user = domain::UserId::parse(&user_id).ok_or(AppError::NotFound)?;
        iam::remove_group_member(&ctx.db, &scope, &name, user).await?;
        Ok(())
    })
    .await
}

// ---------------------------------------------------------------- pages

use crate::components::*;
use crate::fmt_time;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// The tenant's groups: search, create, delete.
#[component]
pub fn GroupsPage() -> impl IntoView {
    let tenant = tenant_param();
    let q = query_param("q");
    let cursor = query_param("cursor");
    let deleted = query_param("deleted");
    let create = form_action::<CreateGroup>();
    let delete = form_action::<DeleteGroup>();
    let data = Resource::new(
        move || (tenant.get(), q.get(), cursor.get(), delete.version().get()),
        |(t, q, c, _)| list_groups(t, q, non_empty(c)),
    );
    let create_state = FormState::of(create);
    view! {
        <Title text=page_title(tenant, |t| format!("Groups of {t}"))/>
        <div class="page-header">
            <h1 class="page-title">"Groups"</h1>
        </div>
        <p class="page-subtitle">"The groups IAM statements name, such as " <code>"Allow group netops to manage network-family in tenancy"</code> ". Members of a group must be members of " <strong>{move || tenant.get()}</strong> "."</p>
        {move || {
            let d = deleted.get();
            (!d.is_empty()).then(|| view! { <div class="alert alert-success" role="status">{format!("Group {d} deleted.")}</div> })
        }}
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(page) => {
                        let shown = page.items.len();
                        let t = tenant.get_untracked();
                        let t_form = t.clone();
                        let create_form = page.can_create.then(move || view! {
                            <section class="card" aria-labelledby="new-group-title">
                                <h2 class="card-title" id="new-group-title">"New group"</h2>
                                <ActionForm action=create attr:class="form" attr:aria-label="New group">
                                    <input type="hidden" name="tenant" value=t_form/>
                                    {create_state.banner(&["name", "description"])}
                                    <div class="form-row">
                                        <Field form=create_state name="name" id="group-name" label="Name" required=true placeholder="netops"
                                            hint="Lowercase letters, digits, - and _; statements match it whatever its case."/>
                                        <Field form=create_state name="description" id="group-description" label="Description"/>
                                    </div>
                                    <div class="form-actions">
                                        <button class="btn btn-primary" type="submit" disabled=move || create.pending().get()>"Create group"</button>
                                    </div>
                                </ActionForm>
                            </section>
                        });
                        let can_delete = page.can_delete;
                        let rows = page.items.into_iter().map(|g| {
                            let href = format!("/t/{}/groups/{}", encode(&t), encode(&g.name));
                            let t2 = t.clone();
                            view! {
                                <tr data-testid="group-row">
                                    <td><a href=href>{g.name.clone()}</a></td>
                                    <td>{if g.description.is_empty() { "—".to_string() } else { g.description.clone() }}</td>
                                    <td class="num">{g.members}</td>
                                    <td class="nowrap">{fmt_time(g.created_at)}</td>
                                    <td class="actions">
                                        {can_delete.then(|| view! {
                                            <Confirm action=delete summary="Delete" label=format!("Delete group {}", g.name) dialog="Confirm deletion" confirm="Yes, delete"
                                                fields=vec![("tenant", t2), ("name", g.name.clone())]>
                                                "Delete group " <strong>{g.name.clone()}</strong> {format!("? Its {} member(s) lose what statements grant the group; the statements stay.", g.members)}
                                            </Confirm>
                                        })}
                                    </td>
                                </tr>
                            }
                        }).collect_view();
                        let empty = shown == 0;
                        let params = vec![("q".to_string(), q.get_untracked())];
                        view! {
                            {create_form}
                            {move || delete.value().get().and_then(Result::err).map(|e| view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> })}
                            <div class="toolbar">
                                <form class="search" method="get" role="search">
                                    <input type="search" name="q" value=q.get_untracked() aria-label="Search groups" placeholder="Search by name"/>
                                    <button class="btn" type="submit">"Search"</button>
                                </form>
                            </div>
                            <div class="table-wrap">
                                {if empty {
                                    let hint = if q.get_untracked().is_empty() { "Create one with the form above, then name it in an IAM policy." } else { "No group matches this search." };
                                    view! { <EmptyState title="No groups".to_string() hint=hint.to_string()/> }.into_any()
                                } else {
                                    view! {
                                        <table class="data-table" aria-label="Groups">
                                            <thead><tr><th>"Name"</th><th>"Description"</th><th class="num">"Members"</th><th>"Created"</th><th class="actions"><span class="sr-only">"Actions"</span></th></tr></thead>
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

/// One group: its members, adding and removing them, and deleting the group.
#[component]
pub fn GroupPage() -> impl IntoView {
    let tenant = tenant_param();
    let params = use_params_map();
    let name = Memo::new(move |_| params.read().get("name").unwrap_or_default());
    let add = form_action::<AddGroupMember>();
    let remove = form_action::<RemoveGroupMember>();
    let delete = form_action::<DeleteGroup>();
    let data = Resource::new(
        move || {
            (
                tenant.get(),
                name.get(),
                add.version().get(),
                remove.version().get(),
            )
        },
        |(t, n, ..)| group_page(t, n),
    );
    let add_state = FormState::of(add);
    let add_form_ref = NodeRef::<leptos::html::Form>::new();
    reset_on_success(add, add_form_ref);
    view! {
        <Title text=page_title(tenant, move |_| format!("Group {}", name.get()))/>
        <div class="page-header">
            <h1 class="page-title">{move || format!("Group {}", name.get())}</h1>
            <a class="btn" href=move || format!("/t/{}/groups", encode(&tenant.get()))>"All groups"</a>
        </div>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(v) => {
                        let t = tenant.get_untracked();
                        let n = v.group.name.clone();
                        let (t1, n1) = (t.clone(), n.clone());
                        let can_invite = v.can_invite;
                        let add_form = v.can_edit.then(move || view! {
                            <section class="card" aria-labelledby="add-group-member-title">
                                <h2 class="card-title" id="add-group-member-title">"Add a member"</h2>
                                <ActionForm action=add node_ref=add_form_ref attr:class="form" attr:aria-label="Add group member">
                                    <input type="hidden" name="tenant" value=t1/>
                                    <input type="hidden" name="name" value=n1/>
                                    {add_state.banner(&["email"])}
                                    <Success action=add message=|email: &String| (format!("{email} added to the group."), None)/>
                                    <div class="form-row">
                                        <Field form=add_state name="email" id="group-member-email" label="Email of a member of this tenant" kind="email" required=true placeholder="name@example.com"/>
                                    </div>
                                    {can_invite.then(|| view! {
                                        <label class="check">
                                            <input type="checkbox" name="invite" value="on"/>
                                            " Invite them to this tenant if they are not a member yet"
                                        </label>
                                        <p class="field-hint">"They join as a member with no role: what this group's statements allow is all they get."</p>
                                    })}
                                    <div class="form-actions">
                                        <button class="btn btn-primary" type="submit" disabled=move || add.pending().get()>"Add to group"</button>
                                    </div>
                                </ActionForm>
                            </section>
                        });
                        let (t2, n2) = (t.clone(), n.clone());
                        let members_count = v.members.len();
                        let delete_button = v.can_delete.then(move || view! {
                            <div class="toolbar">
                                <Confirm action=delete summary="Delete group" label=format!("Delete group {n2}") dialog="Confirm deletion" confirm="Yes, delete"
                                    fields=vec![("tenant", t2), ("name", n2.clone())]>
                                    "Delete group " <strong>{n2.clone()}</strong> {format!("? Its {members_count} member(s) lose what statements grant the group; the statements stay.")}
                                </Confirm>
                            </div>
                        });
                        let can_edit = v.can_edit;
                        let empty = v.members.is_empty();
                        let rows = v.members.into_iter().map(|m| {
                            let (t3, n3) = (t.clone(), n.clone());
                            view! {
                                <tr data-testid="group-member-row">
                                    <td>{m.email.clone()}</td>
                                    <td>{if m.name.is_empty() { "—".to_string() } else { m.name.clone() }}</td>
                                    <td>{if m.source == "oidc" {
                                        view! { <span class="badge badge-info" title="Set by the identity provider's groups claim at each sign-in">"identity provider"</span> }.into_any()
                                    } else {
                                        view! { <span class="badge badge-muted">"console"</span> }.into_any()
                                    }}</td>
                                    <td class="nowrap">{fmt_time(m.added_at)}</td>
                                    <td class="actions">
                                        {can_edit.then(|| view! {
                                            <Confirm action=remove summary="Remove" label=format!("Remove {} from the group", m.email) dialog="Confirm removal" confirm="Yes, remove"
                                                fields=vec![("tenant", t3), ("name", n3), ("user_id", m.user_id.clone())]>
                                                "Remove " <strong>{m.email.clone()}</strong> " from this group? What statements grant the group stops applying to them at their next request."
                                            </Confirm>
                                        })}
                                    </td>
                                </tr>
                            }
                        }).collect_view();
                        view! {
                            <p class="page-subtitle">{if v.group.description.is_empty() { "No description.".to_string() } else { v.group.description.clone() }}</p>
                            {add_form}
                            {move || remove.value().get().and_then(Result::err).or_else(|| delete.value().get().and_then(Result::err)).map(|e| view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> })}
                            <Success action=remove message=|_: &()| ("Removed from the group.".to_string(), None)/>
                            <div class="table-wrap">
                                {if empty {
                                    view! { <EmptyState title="No members".to_string() hint="Add members of this tenant with the form above.".to_string()/> }.into_any()
                                } else {
                                    view! {
                                        <table class="data-table" aria-label="Group members">
                                            <thead><tr><th>"Email"</th><th>"Name"</th><th>"Added by"</th><th>"Added"</th><th class="actions"><span class="sr-only">"Actions"</span></th></tr></thead>
                                            <tbody>{rows}</tbody>
                                        </table>
                                    }.into_any()
                                }}
                            </div>
                            {delete_button}
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
