//! The pages outside any one feature: `/`, login, no tenants, not found, and the
//! layout every tenant page sits in.

use super::api;
use super::layout::{AppShell, Brand, ShellRefresh};
use crate::components::*;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Outlet, Redirect};

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
    // A signed-in user keeps the header (who they are, the way home, log out); someone
    // who is not signed in sees the plain page.
    let me = Resource::new(|| (), |_| api::session_info());
    view! {
        <Title text="Not found"/>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                me.await.ok().flatten().map(|me| view! {
                    <header class="topbar">
                        <Brand/>
                        <div class="topbar-spacer"></div>
                        <div class="user-menu">
                            <span class="user-email" data-testid="user-email" title=me.email.clone()>{me.email.clone()}</span>
                            <form class="inline" method="post" action="/auth/logout">
                                <button class="btn btn-ghost" type="submit">"Log out"</button>
                            </form>
                        </div>
                    </header>
                })
            })}
        </Suspense>
        <main class="auth-page" id="main">
            <ErrorView error=AppError::NotFound/>
        </main>
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
    ShellRefresh::provide();
    view! {
        <AppShell global=false>
            <Outlet/>
        </AppShell>
    }
}

/// A global page's old address inside a tenant (`/t/<tenant>/tenants`): global admins
/// are sent to its place under `/admin`; anyone else gets what any page of that tenant
/// would answer them (not found, or access denied), so the old path reveals nothing.
#[component]
pub fn MovedToAdmin(to: &'static str) -> impl IntoView {
    let tenant = tenant_param();
    let ctx = Resource::new(move || tenant.get(), api::tenant_context);
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match ctx.await {
                    Ok(c) if c.global_admin => view! { <Redirect path=to/> }.into_any(),
                    Ok(_) => view! { <ErrorView error=AppError::Forbidden("Only global admins see the pages for every tenant.".into())/> }.into_any(),
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Everything under `/admin/`: the pages for every tenant, in the same frame.
#[component]
pub fn GlobalLayout() -> impl IntoView {
    ShellRefresh::provide();
    view! {
        <AppShell global=true>
            <Outlet/>
        </AppShell>
    }
}
