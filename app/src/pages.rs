//! The console's pages.

use crate::api::{self, AddMember, ChangeMemberRole, CreateTenant, RemoveMember};
use crate::components::*;
use crate::error::AppError;
use crate::fmt_time;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Outlet, Redirect};
use policy::Role;

/// `/`: sends a logged-in user to their last tenant (the server sends everyone else to
/// the login page before this renders).
#[component]
pub fn HomePage() -> impl IntoView {
    let target = Resource::new(|| (), |_| api::home_path());
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match target.await {
                    Ok(path) => view! { <Redirect path/> }.into_any(),
                    Err(AppError::Unauthenticated) => view! { <Redirect path="/login"/> }.into_any(),
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Unknown URLs.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <Title text="Not found"/>
        <div class="auth-page"><ErrorView error=AppError::NotFound/></div>
    }
}

/// For a user who holds no role anywhere yet.
#[component]
pub fn NoTenantsPage() -> impl IntoView {
    let me = Resource::new(|| (), |_| api::session_info());
    view! {
        <Title text="No tenants"/>
        <div class="auth-page">
            <div class="auth-card">
                <h1 class="auth-title">"No tenants yet"</h1>
                <Suspense fallback=Loading>
                    {move || Suspend::new(async move {
                        let who = me.await.ok().flatten().map(|s| s.email).unwrap_or_default();
                        view! {
                            <p>"You are signed in as " <strong>{who}</strong> ", but you do not have a role in any tenant."</p>
                            <p class="muted">"Ask a tenant admin to add you as a member, then reload this page."</p>
                        }
                    })}
                </Suspense>
                <form class="inline" method="post" action="/auth/logout">
                    <button class="btn" type="submit">"Log out"</button>
                </form>
            </div>
        </div>
    }
}

/// Login: one button per configured OIDC provider, and the bootstrap admin's local
/// form when it is enabled. Plain links and a plain form post, so it needs no script.
#[component]
pub fn LoginPage() -> impl IntoView {
    let options = Resource::new(|| (), |_| api::login_options());
    let me = Resource::new(|| (), |_| api::session_info());
    let error = query_param("error");
    let logged_out = query_param("logged_out");
    let next = query_param("next");
    view! {
        <Title text="Sign in"/>
        <div class="auth-page">
            <div class="auth-card">
                <h1 class="auth-title"><span class="brand-mark" aria-hidden="true"></span>" Sign in to Tenantry"</h1>
                {move || (!error.get().is_empty()).then(|| view! {
                    <div class="alert alert-error" role="alert" data-testid="login-error">{login_error_text(&error.get())}</div>
                })}
                {move || (!logged_out.get().is_empty()).then(|| view! {
                    <div class="alert alert-success" role="status">"You have been logged out."</div>
                })}
                <Suspense fallback=Loading>
                    {move || Suspend::new(async move {
                        let me = me.await.ok().flatten();
                        let opts = options.await.unwrap_or_default();
                        let next_q = encode(&next.get_untracked());
                        let signed_in = me.map(|m| view! {
                            <div class="alert alert-info" role="status">
                                "Signed in as " <strong>{m.email}</strong> ". " <a href="/">"Continue to the console"</a>
                            </div>
                        });
                        let providers = opts.providers.iter().map(|p| {
                            let href = format!("/auth/oidc/{}/login?next={}", p.name, next_q);
                            // rel=external: a full page load to the server, not a client-side route change.
                            view! { <a class="btn btn-primary" href=href rel="external">{format!("Sign in with {}", p.label)}</a> }
                        }).collect_view();
                        let show_divider = !opts.providers.is_empty() && opts.local_login;
                        let nothing = opts.providers.is_empty() && !opts.local_login;
                        view! {
                            {signed_in}
                            <div class="provider-list">{providers}</div>
                            {show_divider.then(|| view! { <div class="auth-divider">"or"</div> })}
                            {opts.local_login.then(|| view! {
                                <form class="form" method="post" action="/auth/local" aria-label="Local sign-in">
                                    <input type="hidden" name="next" value=next.get_untracked()/>
                                    <div class="field">
                                        <label for="login-email">"Email"</label>
                                        <input id="login-email" type="email" name="email" autocomplete="username" required/>
                                    </div>
                                    <div class="field">
                                        <label for="login-password">"Password"</label>
                                        <input id="login-password" type="password" name="password" autocomplete="current-password" required/>
                                    </div>
                                    <div class="form-actions">
                                        <button class="btn btn-primary" type="submit">"Sign in with password"</button>
                                    </div>
                                    <p class="field-hint">"For the bootstrap admin. Everyone else signs in through their identity provider."</p>
                                </form>
                            })}
                            {nothing.then(|| view! {
                                <div class="alert alert-warning">"No way to sign in is configured. Set TENANTRY_OIDC_PROVIDERS, or enable the bootstrap admin."</div>
                            })}
                        }
                    })}
                </Suspense>
            </div>
        </div>
    }
}

fn login_error_text(code: &str) -> &'static str {
    match code {
        "invalid_credentials" => "Wrong email or password.",
        "rate_limited" => "Too many failed attempts. Wait a few minutes and try again.",
        "email_in_use" => "This email address is already linked to another sign-in. Ask an administrator for help.",
        "provider" => "The identity provider did not complete the sign-in. Please try again.",
        "state" => "The sign-in took too long or was started in another tab. Please try again.",
        "unknown_provider" => "That sign-in method is not configured.",
        _ => "Sign-in failed. Please try again.",
    }
}

/// Everything under `/t/<tenant>/`: the app shell around the page.
#[component]
pub fn TenantLayout() -> impl IntoView {
    view! {
        <AppShell>
            <Outlet/>
        </AppShell>
    }
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let tenant = tenant_param();
    let data = Resource::new(move || tenant.get(), api::dashboard);
    view! {
        <Title text=move || tenant.get()/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => {
                        let t = d.tenant;
                        let base = format!("/t/{}", t.name);
                        let last = d.last_activity_at.map(fmt_time).unwrap_or_else(|| "—".into());
                        view! {
                            <div class="page-header">
                                <h1 class="page-title">{t.name.clone()}</h1>
                            </div>
                            <p class="page-subtitle">{if t.description.is_empty() { "No description.".to_string() } else { t.description.clone() }}</p>
                            <div class="stat-grid">
                                <div class="stat"><div class="stat-label">"Members"</div><div class="stat-value" data-testid="stat-members">{d.members}</div></div>
                                <div class="stat"><div class="stat-label">"Admins"</div><div class="stat-value">{d.admins}</div></div>
                                <div class="stat"><div class="stat-label">"Audit events"</div><div class="stat-value">{d.audit_events}</div></div>
                                <div class="stat"><div class="stat-label">"Last activity"</div><div class="stat-value stat-value-sm">{last}</div></div>
                            </div>
                            <section class="card">
                                <h2 class="card-title">"Tenant"</h2>
                                <dl class="kv">
                                    <dt>"ID"</dt><dd class="mono" data-testid="tenant-id">{t.id.clone()}</dd>
                                    <dt>"Name"</dt><dd>{t.name.clone()}</dd>
                                    <dt>"State"</dt><dd><StateBadge desired=t.desired_state.clone() current=t.current_state.clone()/></dd>
                                    <dt>"Labels"</dt><dd><Labels labels=t.labels.clone()/></dd>
                                    <dt>"Created"</dt><dd>{if t.is_system { "with the console".to_string() } else { fmt_time(t.created_at) }}</dd>
                                </dl>
                            </section>
                            <section class="card">
                                <h2 class="card-title">"Shortcuts"</h2>
                                <div class="row">
                                    <a class="btn" href=format!("{base}/members")>"Manage members"</a>
                                    <a class="btn" href=format!("{base}/audit")>"View audit log"</a>
                                </div>
                            </section>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Desired/current lifecycle state as a badge.
#[component]
fn StateBadge(desired: String, current: String) -> impl IntoView {
    let (class, text) = match (desired.as_str(), current.as_str()) {
        ("CREATED", "CREATED") => ("badge badge-ok", "Ready".to_string()),
        ("CREATED", _) => ("badge badge-info", "Provisioning".to_string()),
        ("DELETED", "DELETED") => ("badge badge-muted", "Deleted".to_string()),
        ("DELETED", _) => ("badge badge-warn", "Deleting".to_string()),
        _ => ("badge badge-muted", format!("{desired} / {current}")),
    };
    view! { <span class=class title=format!("desired {desired}, current {current}")>{text}</span> }
}

#[component]
fn Labels(labels: Vec<String>) -> impl IntoView {
    if labels.is_empty() {
        view! { <span class="muted">"—"</span> }.into_any()
    } else {
        labels
            .into_iter()
            .map(|l| view! { <span class="chip">{l}</span>" " })
            .collect_view()
            .into_any()
    }
}

#[component]
pub fn MembersPage() -> impl IntoView {
    let tenant = tenant_param();
    let q = query_param("q");
    let cursor = query_param("cursor");
    let add = ServerAction::<AddMember>::new();
    let change = ServerAction::<ChangeMemberRole>::new();
    let remove = ServerAction::<RemoveMember>::new();
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
    let add_error = move || add.value().get().and_then(Result::err);
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
        <Title text=move || format!("Members of {}", tenant.get())/>
        <div class="page-header">
            <h1 class="page-title">"Members"</h1>
        </div>
        <p class="page-subtitle">"People who hold a role in " <strong>{move || tenant.get()}</strong> "."</p>
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
                            let roles = grantable_form;
                            view! {
                                <section class="card" aria-labelledby="add-member-title">
                                    <h2 class="card-title" id="add-member-title">"Add a member"</h2>
                                    <ActionForm action=add node_ref=add_form_ref attr:class="form" attr:aria-label="Add member">
                                        <input type="hidden" name="tenant" value=t_form/>
                                        {move || add_error().and_then(|e| e.form_message(&["email", "role"])).map(|m| view! { <div class="alert alert-error" role="alert">{m}</div> })}
                                        {move || matches!(add.value().get(), Some(Ok(()))).then(|| view! { <div class="alert alert-success" role="status">"Member added."</div> })}
                                        <div class="form-row">
                                            <div class="field">
                                                <label for="member-email">"Email"</label>
                                                <input id="member-email" type="email" name="email" required placeholder="name@example.com"
                                                    aria-invalid=move || add_error().and_then(|e| e.for_field("email")).is_some().to_string()
                                                    aria-describedby="member-email-error"/>
                                                <FieldError id="member-email-error" message=Signal::derive(move || add_error().and_then(|e| e.for_field("email")))/>
                                            </div>
                                            <div class="field">
                                                <label for="member-role">"Role"</label>
                                                <select id="member-role" name="role">
                                                    {roles.into_iter().map(|r| view! { <option value=r.as_str() selected=r == Role::Viewer>{r.label()}</option> }).collect_view()}
                                                </select>
                                                <FieldError id="member-role-error" message=Signal::derive(move || add_error().and_then(|e| e.for_field("role")))/>
                                            </div>
                                        </div>
                                        <p class="field-hint">"New members show as pending until they next sign in; someone new joins at their first sign-in with this address, once their identity provider has verified it."</p>
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
                                            <ConfirmInline action=remove summary="Remove" label=format!("Remove {}", m.email) dialog="Confirm removal" confirm="Yes, remove"
                                                fields=vec![("tenant", t2), ("user_id", uid2)]>
                                                "Remove " <strong>{m.email.clone()}</strong> " from this tenant? They lose access immediately."
                                            </ConfirmInline>
                                        })}
                                    </td>
                                </tr>
                            }
                        }).collect_view();
                        let search_value = q.get_untracked();
                        let empty = shown == 0;
                        let params = vec![("q".to_string(), q.get_untracked())];
                        let has_cursor = !cursor.get_untracked().is_empty();
                        view! {
                            {add_form}
                            {move || action_error().map(|e| view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> })}
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
                            <Pager next_cursor=page.next_cursor has_cursor=has_cursor shown=shown params=params/>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn TenantsPage() -> impl IntoView {
    let tenant = tenant_param();
    let q = query_param("q");
    let label = query_param("label");
    let cursor = query_param("cursor");
    let create = ServerAction::<CreateTenant>::new();
    let data = Resource::new(
        move || {
            (
                tenant.get(),
                q.get(),
                label.get(),
                cursor.get(),
                create.version().get(),
            )
        },
        |(t, q, l, c, _)| api::list_tenants(t, q, l, non_empty(c)),
    );
    let err = move || create.value().get().and_then(Result::err);
    let create_form_ref = NodeRef::<leptos::html::Form>::new();
    reset_on_success(create, create_form_ref);
    let field_err =
        move |f: &'static str| Signal::derive(move || err().and_then(|e| e.for_field(f)));
    let invalid =
        move |f: &'static str| move || err().and_then(|e| e.for_field(f)).is_some().to_string();
    view! {
        <Title text="Tenants"/>
        <div class="page-header">
            <h1 class="page-title">"Tenants"</h1>
        </div>
        <p class="page-subtitle">"Every tenant of this console. Names and ids never change."</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(page) => {
                        let t = tenant.get_untracked();
                        let shown = page.items.len();
                        let rows = page.items.into_iter().map(|row| {
                            let href = format!("/t/{}", row.name);
                            view! {
                                <tr data-testid="tenant-row">
                                    <td><a href=href>{row.name.clone()}</a>{row.is_system.then(|| view! { " " <span class="badge badge-info">"system"</span> })}</td>
                                    <td class="muted">{row.description.clone()}</td>
                                    <td><Labels labels=row.labels.clone()/></td>
                                    <td><StateBadge desired=row.desired_state.clone() current=row.current_state.clone()/></td>
                                    <td class="mono">{row.id.clone()}</td>
                                    <td class="nowrap">{if row.is_system { "—".to_string() } else { fmt_time(row.created_at) }}</td>
                                </tr>
                            }
                        }).collect_view();
                        let filtering = !q.get_untracked().is_empty() || !label.get_untracked().is_empty();
                        let params = vec![("q".to_string(), q.get_untracked()), ("label".to_string(), label.get_untracked())];
                        let has_cursor = !cursor.get_untracked().is_empty();
                        view! {
                            <section class="card" aria-labelledby="create-tenant-title">
                                <h2 class="card-title" id="create-tenant-title">"Create a tenant"</h2>
                                <ActionForm action=create node_ref=create_form_ref attr:class="form" attr:aria-label="Create tenant">
                                    <input type="hidden" name="tenant" value=t/>
                                    {move || err().and_then(|e| e.form_message(&["name", "description", "labels"])).map(|m| view! { <div class="alert alert-error" role="alert">{m}</div> })}
                                    {move || matches!(create.value().get(), Some(Ok(()))).then(|| view! { <div class="alert alert-success" role="status">"Tenant created."</div> })}
                                    <div class="field">
                                        <label for="tenant-name">"Name"</label>
                                        <input id="tenant-name" type="text" name="name" required placeholder="e.g. dev-analytics"
                                            aria-invalid=invalid("name") aria-describedby="tenant-name-hint"/>
                                        <p class="field-hint" id="tenant-name-hint">"2–63 lowercase letters, digits, - or _, starting with a letter. It cannot be changed later."</p>
                                        <FieldError id="tenant-name-error" message=field_err("name")/>
                                    </div>
                                    <div class="field">
                                        <label for="tenant-description">"Description"</label>
                                        <input id="tenant-description" type="text" name="description" placeholder="Optional" aria-invalid=invalid("description")/>
                                        <FieldError id="tenant-description-error" message=field_err("description")/>
                                    </div>
                                    <div class="field">
                                        <label for="tenant-labels">"Labels"</label>
                                        <input id="tenant-labels" type="text" name="labels" placeholder="env=prod, team=analytics" aria-invalid=invalid("labels")/>
                                        <p class="field-hint">"Optional key=value pairs, separated by commas."</p>
                                        <FieldError id="tenant-labels-error" message=field_err("labels")/>
                                    </div>
                                    <div class="form-actions">
                                        <button class="btn btn-primary" type="submit" disabled=move || create.pending().get()>"Create tenant"</button>
                                    </div>
                                </ActionForm>
                            </section>
                            <div class="toolbar">
                                <form class="search" method="get" role="search">
                                    <input type="search" name="q" value=q.get_untracked() aria-label="Search tenants by name" placeholder="Search by name"/>
                                    <input type="text" name="label" value=label.get_untracked() aria-label="Filter by label" placeholder="label, e.g. env=prod"/>
                                    <button class="btn" type="submit">"Filter"</button>
                                </form>
                            </div>
                            <div class="table-wrap">
                                {if shown == 0 {
                                    let hint = if filtering { "No tenant matches these filters." } else { "Create the first tenant above." };
                                    view! { <EmptyState title="No tenants".to_string() hint=hint.to_string()/> }.into_any()
                                } else {
                                    view! {
                                        <table class="data-table" aria-label="Tenants">
                                            <thead><tr><th>"Name"</th><th>"Description"</th><th>"Labels"</th><th>"State"</th><th>"ID"</th><th>"Created"</th></tr></thead>
                                            <tbody>{rows}</tbody>
                                        </table>
                                    }.into_any()
                                }}
                            </div>
                            <Pager next_cursor=page.next_cursor has_cursor=has_cursor shown=shown params=params/>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let tenant = tenant_param();
    let cursor = query_param("cursor");
    let data = Resource::new(
        move || (tenant.get(), cursor.get()),
        |(t, c)| api::list_audit(t, non_empty(c)),
    );
    view! {
        <Title text=move || format!("Audit log of {}", tenant.get())/>
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
