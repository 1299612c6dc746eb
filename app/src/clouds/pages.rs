//! The cloud pages: the list (with the admin tenant's clouds in provider mode and the
//! provider settings), the creation wizard, and one cloud with its objects.
//!
//! The wizard's steps are URLs (`/clouds/new?step=type|settings|review&type=…&draft=…`)
//! rendered by the server, so Back, Next and reload work the same with or without
//! JavaScript; what was entered lives in a server-side draft between the steps.

use super::api::*;
use crate::components::*;
use crate::fmt_time;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use policy::clouds::{self as kinds, CLOUD_KINDS};
use serde_json::Value;

/// A setting of a cloud as text (lists joined), or `None` when absent or empty.
fn setting(config: &Value, key: &str) -> Option<String> {
    match config.get(key)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Array(a) if !a.is_empty() => Some(
            a.iter()
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    Value::Object(h) => format!(
                        "{} ({})",
                        h.get("ip").and_then(Value::as_str).unwrap_or(""),
                        h.get("ssh_user").and_then(Value::as_str).unwrap_or("")
                    ),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(", "),
        ),
        _ => None,
    }
}

/// Where a cloud runs, in a few words (the list's column).
fn location(c: &CloudRow) -> String {
    match c.cloud_type.as_str() {
        "aws" => format!(
            "{} · {}",
            setting(&c.config, "region").unwrap_or_default(),
            setting(&c.config, "vpc_id").unwrap_or_default()
        ),
        "azure" => format!(
            "{} · {}",
            setting(&c.config, "resource_group").unwrap_or_default(),
            setting(&c.config, "virtual_network").unwrap_or_default()
        ),
        "linux-server" => {
            let n = c
                .config
                .get("hosts")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            format!("{n} host{}", if n == 1 { "" } else { "s" })
        }
        _ => "Service Engines added by hand".to_string(),
    }
}

/// The labelled settings of each type, in the order the wizard asks for them:
/// (key, label, secret).
fn setting_labels(kind: &str) -> &'static [(&'static str, &'static str, bool)] {
    match kind {
        "aws" => &[
            ("region", "Region", false),
            ("access_key_id", "Access key ID", false),
            ("secret_access_key", "Secret access key", true),
            ("iam_role_arn", "IAM role ARN", false),
            ("vpc_id", "VPC ID", false),
            ("availability_zones", "Availability zones", false),
        ],
        "azure" => &[
            ("subscription_id", "Subscription ID", false),
            ("resource_group", "Resource group", false),
            ("virtual_network", "Virtual network", false),
            ("client_id", "Client ID", false),
            ("azure_tenant_id", "Azure AD tenant ID", false),
            ("client_secret", "Client secret", true),
        ],
        "linux-server" => &[
            ("hosts", "Hosts", false),
            ("ssh_private_key", "SSH private key", true),
        ],
        _ => &[],
    }
}

/// A cloud's settings as a list of facts; secrets show only that they are set.
fn settings_facts(kind: &str, config: &Value) -> impl IntoView {
    let rows = setting_labels(kind)
        .iter()
        .filter_map(|(key, label, secret)| {
            let value = setting(config, key)?;
            Some(if *secret {
                view! { <div><dt>{*label}</dt><dd><span class="badge badge-ok" data-testid=format!("secret-{key}")>"set"</span> <span class="muted small">"stored encrypted, never shown"</span></dd></div> }.into_any()
            } else {
                view! { <div><dt>{*label}</dt><dd class="mono wrap-anywhere">{value}</dd></div> }.into_any()
            })
        })
        .collect_view();
    rows
}

// ---------------------------------------------------------------- list

#[component]
pub fn CloudsPage() -> impl IntoView {
    let tenant = tenant_param();
    let q = query_param("q");
    let cursor = query_param("cursor");
    let deleted = query_param("deleted");
    let save = form_action::<SaveProviderSettings>();
    let data = Resource::new(
        move || (tenant.get(), q.get(), cursor.get(), save.version().get()),
        |(t, q, c, _)| list_clouds(t, q, non_empty(c)),
    );
    view! {
        <Title text=page_title(tenant, |t| format!("Clouds of {t}"))/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => {
                        let t = tenant.get_untracked();
                        let card = view! { <ProviderSettingsCard tenant=t.clone() data=d.clone() save/> };
                        let shown = d.items.len();
                        let rows = d.items.iter().cloned().map(|c| cloud_list_row(&t, c)).collect_view();
                        let provider_rows = d.provider.iter().cloned().map(|c| cloud_list_row(&t, c)).collect_view();
                        let has_provider = !d.provider.is_empty();
                        let hint = if !q.get_untracked().is_empty() {
                            "No cloud matches this search."
                        } else if d.can_manage {
                            "Create one with the wizard: AWS, Azure, Linux Server or No-Orchestrator."
                        } else {
                            "A tenant admin creates clouds."
                        };
                        let params = vec![("q".to_string(), q.get_untracked())];
                        let new_href = format!("/t/{}/clouds/new", encode(&t));
                        view! {
                            <div class="page-header">
                                <h1 class="page-title">"Clouds"</h1>
                                {d.can_manage.then(|| view! { <a class="btn btn-primary" href=new_href>"Create cloud"</a> })}
                            </div>
                            <p class="page-subtitle">"Clouds scoped to this tenant, with their VRF contexts, SE groups and Service Engines. Other tenants never see them."</p>
                            {move || non_empty(deleted.get()).map(|name| view! {
                                <div class="alert alert-success" role="status" data-testid="form-success">{format!("Cloud {name} deleted, with its VRF contexts, SE groups and Service Engines.")}</div>
                            })}
                            <div class="toolbar">
                                <form class="search" method="get" role="search">
                                    <input type="search" name="q" value=q.get_untracked() aria-label="Search clouds" placeholder="Search by name"/>
                                    <button class="btn" type="submit">"Search"</button>
                                </form>
                            </div>
                            <div class="table-wrap">
                                {if shown == 0 {
                                    view! { <EmptyState title="No clouds".to_string() hint=hint.to_string()/> }.into_any()
                                } else {
                                    view! {
                                        <table class="data-table" aria-label="Clouds">
                                            <thead><tr><th>"Name"</th><th>"Type"</th><th>"Where"</th><th>"Objects"</th><th>"Created"</th></tr></thead>
                                            <tbody>{rows}</tbody>
                                        </table>
                                    }.into_any()
                                }}
                            </div>
                            <Pager next_cursor=d.next_cursor shown=shown limit=20 total=d.total params=params/>
                            {has_provider.then(|| view! {
                                <section aria-labelledby="provider-title">
                                    <h2 class="card-title" id="provider-title">"Provider clouds"</h2>
                                    <p class="muted">"The admin tenant's clouds, which this tenant uses in provider mode. Their network objects stay in the admin tenant: you can use them, not change them."</p>
                                    <div class="table-wrap">
                                        <table class="data-table" aria-label="Provider clouds">
                                            <thead><tr><th>"Name"</th><th>"Type"</th><th>"Where"</th><th>"Objects"</th><th>"Created"</th></tr></thead>
                                            <tbody>{provider_rows}</tbody>
                                        </table>
                                    </div>
                                </section>
                            })}
                            {card}
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn cloud_list_row(tenant: &str, c: CloudRow) -> impl IntoView {
    let href = format!("/t/{}/clouds/{}", encode(tenant), c.id);
    let place = location(&c);
    let objects = format!(
        "{} VRF · {} SE group{} · {} SE{}",
        c.vrf_contexts,
        c.se_groups,
        if c.se_groups == 1 { "" } else { "s" },
        c.service_engines,
        if c.service_engines == 1 { "" } else { "s" }
    );
    view! {
        <tr data-testid="cloud-row">
            <td class="name"><a href=href><strong>{c.name.clone()}</strong></a>
                {c.provider.then(|| view! { " " <span class="badge badge-info" title="The admin tenant's cloud: usable, read-only">"provider"</span> })}</td>
            <td>{kinds::label(&c.cloud_type).to_string()}</td>
            <td class="small">{place}</td>
            <td class="nowrap small">{objects}</td>
            <td class="nowrap">{fmt_time(c.created_at)}<div class="muted">{c.created_by}</div></td>
        </tr>
    }
}

/// Provider mode: global admins set it, everyone else sees what it is.
#[component]
fn ProviderSettingsCard(
    tenant: String,
    data: CloudsData,
    save: ServerAction<SaveProviderSettings>,
) -> impl IntoView {
    if data.is_system {
        return view! {
            <section class="card" aria-labelledby="provider-settings-title">
                <h2 class="card-title" id="provider-settings-title">"Provider"</h2>
                <p class="muted">"This is the admin tenant: its clouds serve the tenants whose provider mode is on, read-only."</p>
            </section>
        }
        .into_any();
    }
    let s = data.settings;
    let state = FormState::of(save);
    let yes_no = |b: bool| if b { "on" } else { "off" };
    if !data.can_set_provider {
        return view! {
            <section class="card" aria-labelledby="provider-settings-title">
                <h2 class="card-title" id="provider-settings-title">"Provider mode"</h2>
                <dl class="facts">
                    <div><dt>"Use the provider's clouds"</dt><dd data-testid="provider-mode">{yes_no(s.se_in_provider_context)}</dd></div>
                    <div><dt>"See the provider's Service Engines"</dt><dd>{yes_no(s.tenant_access_to_provider_se)}</dd></div>
                    <div><dt>"Own routing domain (VRF)"</dt><dd>{yes_no(s.tenant_vrf)}</dd></div>
                </dl>
                <p class="muted small">"A global admin changes these settings."</p>
            </section>
        }
        .into_any();
    }
    view! {
        <section class="card" aria-labelledby="provider-settings-title">
            <h2 class="card-title" id="provider-settings-title">"Provider mode"</h2>
            <ActionForm action=save attr:class="form" attr:aria-label="Provider mode">
                <input type="hidden" name="tenant" value=tenant/>
                {state.banner(&[])}
                <Success action=save message=|_: &()| ("Provider settings saved.".to_string(), None)/>
                <label class="check"><input type="checkbox" name="se_in_provider_context" value="on" checked=s.se_in_provider_context/>
                    " Use the admin tenant's clouds and SE groups (provider mode, read-only here)"</label>
                <label class="check"><input type="checkbox" name="tenant_access_to_provider_se" value="on" checked=s.tenant_access_to_provider_se/>
                    " Show the provider's Service Engines to this tenant"</label>
                <label class="check"><input type="checkbox" name="tenant_vrf" value="on" checked=s.tenant_vrf/>
                    " Give this tenant its own routing domain (hide the provider's VRF contexts)"</label>
                <p class="field-hint">"Only global admins see and change these settings. The provider's objects stay in the admin tenant and cannot be moved or edited from here."</p>
                <div class="form-actions">
                    <button class="btn btn-primary" type="submit" disabled=move || save.pending().get()>"Save provider settings"</button>
                </div>
            </ActionForm>
        </section>
    }
    .into_any()
}

// ---------------------------------------------------------------- wizard

const STEPS: [(&str, &str); 3] = [
    ("type", "Type"),
    ("settings", "Settings"),
    ("review", "Review"),
];

/// Where the wizard is: the step list, with the current one marked.
fn steps(current: &str) -> impl IntoView {
    let at = STEPS.iter().position(|(k, _)| *k == current).unwrap_or(0);
    view! {
        <ol class="steps" aria-label="Steps">
            {STEPS.iter().enumerate().map(|(i, (_, label))| {
                let class = if i < at { "step step-done" } else if i == at { "step step-current" } else { "step" };
                let current = (i == at).then_some("step");
                view! { <li class=class aria-current=current><span class="step-number">{i + 1}</span> " " {*label}</li> }
            }).collect_view()}
        </ol>
    }
}

#[component]
pub fn CloudWizardPage() -> impl IntoView {
    let tenant = tenant_param();
    let step = query_param("step");
    let kind = query_param("type");
    let draft_id = query_param("draft");
    let data = Resource::new(
        // The step and type are in the key: Back and Next between steps of one draft
        // render the new step.
        move || (tenant.get(), draft_id.get(), step.get(), kind.get()),
        |(t, d, ..)| cloud_wizard(t, non_empty(d)),
    );
    view! {
        <Title text=page_title(tenant, |t| format!("New cloud in {t}"))/>
        <div class="page-header">
            <h1 class="page-title">"Create cloud"</h1>
            <a class="btn" href=move || format!("/t/{}/clouds", encode(&tenant.get()))>"Cancel"</a>
        </div>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(w) => {
                        let t = tenant.get_untracked();
                        let draft = w.draft;
                        let chosen = non_empty(kind.get_untracked())
                            .or_else(|| draft.as_ref().map(|d| d.cloud_type.clone()));
                        match (step.get_untracked().as_str(), chosen) {
                            ("review", _) if draft.is_some() => {
                                view! { {steps("review")} <ReviewStep tenant=t draft=draft.unwrap_or_else(unreachable_draft)/> }.into_any()
                            }
                            ("settings", Some(k)) => {
                                view! { {steps("settings")} <SettingsStep tenant=t kind=k draft/> }.into_any()
                            }
                            _ => view! { {steps("type")} <TypeStep tenant=t draft/> }.into_any(),
                        }
                    }
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Never used: the review arm runs only with a draft.
fn unreachable_draft() -> DraftView {
    DraftView {
        id: String::new(),
        cloud_type: String::new(),
        name: String::new(),
        config: Value::Null,
    }
}

/// Step 1: the cloud types, the four allowed in a tenant as choices, the others shown
/// with the reason they are not.
#[component]
fn TypeStep(tenant: String, draft: Option<DraftView>) -> impl IntoView {
    let base = format!("/t/{}/clouds/new", encode(&tenant));
    let draft_q = draft.as_ref().map(|d| d.id.clone());
    let current = draft.as_ref().map(|d| d.cloud_type.clone());
    let cards = CLOUD_KINDS.iter().map(|k| {
        if k.in_tenant {
            let mut pairs = vec![("step", "settings"), ("type", k.key)];
            if let Some(d) = draft_q.as_deref() {
                pairs.push(("draft", d));
            }
            let href = format!("{base}{}", query_string(&pairs));
            let selected = current.as_deref() == Some(k.key);
            view! {
                <li class="choice-card" data-testid="cloud-type">
                    <a class="choice-link" href=href aria-describedby=format!("kind-{}", k.key)>
                        <strong>{k.label}</strong>
                        {selected.then(|| view! { " " <span class="badge badge-info">"chosen"</span> })}
                    </a>
                    <p class="muted small" id=format!("kind-{}", k.key)>{k.summary}</p>
                </li>
            }.into_any()
        } else {
            view! {
                <li class="choice-card choice-disabled" data-testid="cloud-type-unavailable" aria-disabled="true">
                    <strong>{k.label}</strong> " " <span class="badge badge-muted">"not in a tenant"</span>
                    <p class="muted small">{k.summary} " " {kinds::NOT_IN_TENANT_REASON}</p>
                </li>
            }.into_any()
        }
    }).collect_view();
    view! {
        <section aria-labelledby="type-title">
            <h2 class="card-title" id="type-title">"Which kind of cloud?"</h2>
            <ul class="choice-grid" aria-label="Cloud types">{cards}</ul>
        </section>
    }
}

/// A kept or drafted value of a setting, as the settings form starts from.
fn start(draft: &Option<DraftView>, kind: &str, key: &str) -> String {
    draft
        .as_ref()
        .filter(|d| d.cloud_type == kind)
        .and_then(|d| match d.config.get(key) {
            Some(Value::String(s)) if s == "set" => None,
            Some(Value::Array(a)) if key == "hosts" => Some(
                a.iter()
                    .map(|h| {
                        format!(
                            "{} {}",
                            h.get("ip").and_then(Value::as_str).unwrap_or(""),
                            h.get("ssh_user").and_then(Value::as_str).unwrap_or("")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
            other => other.and_then(|_| setting(&d.config, key)),
        })
        .unwrap_or_default()
}

/// Whether the draft already holds this secret.
fn secret_set(draft: &Option<DraftView>, kind: &str, key: &str) -> bool {
    draft
        .as_ref()
        .filter(|d| d.cloud_type == kind)
        .and_then(|d| d.config.get(key))
        .and_then(Value::as_str)
        == Some("set")
}

/// Step 2: the chosen type's settings. Next checks them all on the server and keeps
/// them in the draft; a refused type or setting comes back with its message here.
#[component]
fn SettingsStep(tenant: String, kind: String, draft: Option<DraftView>) -> impl IntoView {
    let save = form_action::<SaveCloudDraft>();
    let state = FormState::of(save);
    let known = kinds::kind(&kind);
    let label = known.map(|k| k.label).unwrap_or("Unknown type");
    let back = {
        let mut pairs = vec![("step", "type")];
        if let Some(d) = draft.as_ref() {
            pairs.push(("draft", d.id.as_str()));
        }
        format!("/t/{}/clouds/new{}", encode(&tenant), query_string(&pairs))
    };
    // A type that may not be created here is refused before any field: the same check
    // the server makes, so the message matches what the API answers.
    if let Some(k) = known.filter(|k| !k.in_tenant) {
        return view! {
            <div class="alert alert-error" role="alert" data-testid="type-refused">
                {format!("{} clouds cannot be created inside a tenant. {}", k.label, kinds::NOT_IN_TENANT_REASON)}
            </div>
            <a class="btn" href=back>"Back to the types"</a>
        }
        .into_any();
    }
    if known.is_none() {
        return view! {
            <div class="alert alert-error" role="alert" data-testid="type-refused">{format!("`{kind}` is not a cloud type.")}</div>
            <a class="btn" href=back>"Back to the types"</a>
        }
        .into_any();
    }
    let name = draft.as_ref().map(|d| d.name.clone()).unwrap_or_default();
    let draft_id = draft.as_ref().map(|d| d.id.clone()).unwrap_or_default();
    let secret_hint = |set: bool, hint: &str| {
        if set {
            "Set, and stored encrypted. Leave empty to keep it, or enter a new one.".to_string()
        } else {
            hint.to_string()
        }
    };
    let fields = match kind.as_str() {
        "aws" => {
            let regions: Vec<(String, String)> = std::iter::once((String::new(), "Choose a region".to_string()))
                .chain(kinds::AWS_REGIONS.iter().map(|(k, l)| (k.to_string(), format!("{l} · {k}"))))
                .collect();
            let secret = secret_set(&draft, "aws", "secret_access_key");
            view! {
                <Field form=state name="region" id="aws-region" label="Region" required=true options=regions value=start(&draft, "aws", "region")/>
                <fieldset class="fieldset">
                    <legend>"Credentials: an access key, or an IAM role"</legend>
                    <div class="form-row">
                        <Field form=state name="access_key_id" id="aws-key-id" label="Access key ID" class="mono" placeholder="AKIA…" value=start(&draft, "aws", "access_key_id")/>
                        <Field form=state name="secret_access_key" id="aws-secret" label="Secret access key" kind="password" class="mono"
                            hint=secret_hint(secret, "40 characters. Stored encrypted; never shown again.")/>
                    </div>
                    <Field form=state name="iam_role_arn" id="aws-role" label="IAM role ARN" class="mono" placeholder="arn:aws:iam::123456789012:role/avi-controller"
                        value=start(&draft, "aws", "iam_role_arn") hint="Instead of an access key: the role the controller assumes."/>
                </fieldset>
                <div class="form-row">
                    <Field form=state name="vpc_id" id="aws-vpc" label="VPC ID" class="mono" required=true placeholder="vpc-0a1b2c3d" value=start(&draft, "aws", "vpc_id")/>
                    <Field form=state name="availability_zones" id="aws-zones" label="Availability zones (optional)" placeholder="eu-west-1a, eu-west-1b"
                        value=start(&draft, "aws", "availability_zones") hint="Zones of the region, separated by commas."/>
                </div>
            }.into_any()
        }
        "azure" => {
            let secret = secret_set(&draft, "azure", "client_secret");
            view! {
                <div class="form-row">
                    <Field form=state name="subscription_id" id="az-sub" label="Subscription ID" class="mono" required=true placeholder="00000000-0000-0000-0000-000000000000" value=start(&draft, "azure", "subscription_id")/>
                    <Field form=state name="resource_group" id="az-rg" label="Resource group" required=true placeholder="rg-network" value=start(&draft, "azure", "resource_group")/>
                </div>
                <Field form=state name="virtual_network" id="az-vnet" label="Virtual network" required=true placeholder="vnet-prod" value=start(&draft, "azure", "virtual_network")/>
                <fieldset class="fieldset">
                    <legend>"Service principal"</legend>
                    <div class="form-row">
                        <Field form=state name="client_id" id="az-client" label="Client ID" class="mono" required=true value=start(&draft, "azure", "client_id")/>
                        <Field form=state name="azure_tenant_id" id="az-tenant" label="Azure AD tenant ID" class="mono" required=true value=start(&draft, "azure", "azure_tenant_id")/>
                    </div>
                    <Field form=state name="client_secret" id="az-secret" label="Client secret" kind="password" class="mono" required=!secret
                        hint=secret_hint(secret, "Stored encrypted; never shown again.")/>
                </fieldset>
            }.into_any()
        }
        "linux-server" => {
            let secret = secret_set(&draft, "linux-server", "ssh_private_key");
            view! {
                <Field form=state name="hosts" id="lsc-hosts" label="Hosts" rows=5 class="mono" required=true placeholder="10.0.0.11 ubuntu\n10.0.0.12"
                    value=start(&draft, "linux-server", "hosts") hint="One host per line: its IP address, then optionally the SSH user for that host."/>
                <Field form=state name="ssh_user" id="lsc-user" label="Default SSH user" placeholder="root" value="root".to_string()
                    hint="For the hosts that name no user."/>
                <Field form=state name="ssh_private_key" id="lsc-key" label="SSH private key" rows=4 class="mono" required=!secret
                    placeholder="-----BEGIN OPENSSH PRIVATE KEY-----" hint=secret_hint(secret, "The key the controller logs in with. Stored encrypted; never shown again.")/>
            }.into_any()
        }
        _ => view! {
            <p class="muted">"A No-Orchestrator cloud has no access to any infrastructure: it needs only a name. You add its Service Engines by hand on the cloud's page."</p>
        }.into_any(),
    };
    view! {
        <section class="card" aria-labelledby="settings-title">
            <h2 class="card-title" id="settings-title">{format!("{label}: settings")}</h2>
            <ActionForm action=save attr:class="form" attr:aria-label="Cloud settings">
                <input type="hidden" name="tenant" value=tenant/>
                <input type="hidden" name="cloud_type" value=kind.clone()/>
                <input type="hidden" name="draft" value=draft_id/>
                {state.banner(&["name", "type", "config", "region", "access_key_id", "secret_access_key", "iam_role_arn", "vpc_id",
                    "availability_zones", "subscription_id", "resource_group", "virtual_network", "client_id", "azure_tenant_id",
                    "client_secret", "hosts", "ssh_user", "ssh_private_key"])}
                <Field form=state name="name" id="cloud-name" label="Cloud name" required=true placeholder="aws-production" value=name
                    hint="Up to 64 letters, digits, spaces, -, _ and ."/>
                {fields}
                <div class="form-actions">
                    <a class="btn" href=back>"Back"</a>
                    <button class="btn btn-primary" type="submit" disabled=move || save.pending().get()>"Next: review"</button>
                </div>
            </ActionForm>
        </section>
    }
    .into_any()
}

/// Step 3: what will be created, and the button that creates it.
#[component]
fn ReviewStep(tenant: String, draft: DraftView) -> impl IntoView {
    let create = form_action::<CreateCloud>();
    let back = format!(
        "/t/{}/clouds/new{}",
        encode(&tenant),
        query_string(&[("step", "settings"), ("draft", &draft.id)])
    );
    let label = kinds::label(&draft.cloud_type).to_string();
    view! {
        <section class="card" aria-labelledby="review-title">
            <h2 class="card-title" id="review-title">"Review"</h2>
            {move || error_banner(create.value().get().and_then(Result::err))}
            <dl class="facts" data-testid="cloud-review">
                <div><dt>"Name"</dt><dd>{draft.name.clone()}</dd></div>
                <div><dt>"Type"</dt><dd>{label}</dd></div>
                {settings_facts(&draft.cloud_type, &draft.config)}
            </dl>
            <p>"Creating the cloud also creates, in this tenant and in the same step:"</p>
            <ul class="plain-list">
                <li>"the VRF contexts " <strong>"global"</strong> " (data plane) and " <strong>"management"</strong> " (control plane);"</li>
                <li>"the SE group " <strong>"Default-Group"</strong> ";"</li>
                <li>"the IAM policy " <span class="mono">"tenant-admin-clouds"</span> ", which lets Tenant-Admins manage clouds, if the tenant has none yet."</li>
            </ul>
            <ActionForm action=create attr:class="form" attr:aria-label="Create the cloud">
                <input type="hidden" name="tenant" value=tenant/>
                <input type="hidden" name="draft" value=draft.id.clone()/>
                <div class="form-actions">
                    <a class="btn" href=back>"Back"</a>
                    <button class="btn btn-primary" type="submit" disabled=move || create.pending().get()>"Create cloud"</button>
                </div>
            </ActionForm>
        </section>
    }
}

// ---------------------------------------------------------------- one cloud

#[component]
pub fn CloudPage() -> impl IntoView {
    let tenant = tenant_param();
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let created = query_param("created");
    let delete = form_action::<DeleteCloud>();
    let add_vrf = form_action::<CreateVrfContext>();
    let edit_vrf = form_action::<UpdateVrfContext>();
    let del_vrf = form_action::<DeleteVrfContext>();
    let add_group = form_action::<CreateSeGroup>();
    let edit_group = form_action::<UpdateSeGroup>();
    let del_group = form_action::<DeleteSeGroup>();
    let add_se = form_action::<AddServiceEngine>();
    let del_se = form_action::<RemoveServiceEngine>();
    let data = Resource::new(
        move || {
            (
                tenant.get(),
                id.get(),
                (
                    add_vrf.version().get(),
                    edit_vrf.version().get(),
                    del_vrf.version().get(),
                ),
                (
                    add_group.version().get(),
                    edit_group.version().get(),
                    del_group.version().get(),
                ),
                (add_se.version().get(), del_se.version().get()),
            )
        },
        |(t, id, ..)| cloud_page(t, id),
    );
    let vrf_form = NodeRef::<leptos::html::Form>::new();
    reset_on_success(add_vrf, vrf_form);
    let group_form = NodeRef::<leptos::html::Form>::new();
    reset_on_success(add_group, group_form);
    let se_form = NodeRef::<leptos::html::Form>::new();
    reset_on_success(add_se, se_form);
    let vrf_state = FormState::of(add_vrf);
    let vrf_edit_state = FormState::of(edit_vrf);
    let group_state = FormState::of(add_group);
    let group_edit_state = FormState::of(edit_group);
    let se_state = FormState::of(add_se);
    view! {
        <Title text=page_title(tenant, |t| format!("Cloud in {t}"))/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => {
                        let t = tenant.get_untracked();
                        let c = d.cloud.clone();
                        let manage = d.can_manage;
                        let list_href = format!("/t/{}/clouds", encode(&t));
                        let ha_options: Vec<(String, String)> = kinds::HA_MODES.iter().map(|(k, l)| (k.to_string(), l.to_string())).collect();
                        let group_options: Vec<(String, String)> = d.se_groups.iter().map(|g| (g.id.clone(), format!("{} ({}/{})", g.name, g.service_engines, g.max_ses))).collect();

                        let vrf_rows = d.vrf_contexts.iter().map(|v| {
                            let t = t.clone();
                            let editing = vrf_edit_state.kept("id").as_deref() == Some(v.id.as_str());
                            let custom = v.purpose == "custom";
                            let purpose = match v.purpose.as_str() { "data" => "Data plane", "management" => "Management", _ => "Added by hand" };
                            let name = v.name.clone();
                            let (name_fid, desc_fid) = (format!("vrf-name-{}", v.id), format!("vrf-desc-{}", v.id));
                            let (vname, vdesc) = (v.name.clone(), v.description.clone());
                            view! {
                                <tr data-testid="vrf-row">
                                    <td class="name"><strong>{v.name.clone()}</strong></td>
                                    <td>{purpose}</td>
                                    <td class="small">{v.description.clone()}</td>
                                    <td class="actions">{manage.then(|| view! {
                                        <EditInline action=edit_vrf label=format!("Edit VRF context {name}") open=editing fields=vec![("tenant", t.clone()), ("id", v.id.clone())]>
                                            {custom.then_some(view! { <Field form=vrf_edit_state name="name" id=name_fid label="Name" value=vname.clone()/> })}
                                            {(!custom).then_some(view! { <input type="hidden" name="name" value=vname/> })}
                                            <Field form=vrf_edit_state name="description" id=desc_fid label="Description" value=vdesc/>
                                        </EditInline>
                                        {custom.then_some(view! {
                                            " "
                                            <Confirm action=del_vrf summary="Delete" label=format!("Delete VRF context {name}") dialog="Confirm deletion" confirm="Yes, delete"
                                                fields=vec![("tenant", t.clone()), ("id", v.id.clone())]>
                                                "Delete VRF context " <strong>{name.clone()}</strong> "?"
                                            </Confirm>
                                        })}
                                    })}</td>
                                </tr>
                            }
                        }).collect_view();

                        let group_rows = d.se_groups.iter().map(|g| {
                            let t = t.clone();
                            let editing = group_edit_state.kept("id").as_deref() == Some(g.id.as_str());
                            let name = g.name.clone();
                            let default = g.name == "Default-Group";
                            let ha_options = ha_options.clone();
                            let fids: Vec<String> = ["name", "ha", "max", "desc"].iter().map(|f| format!("group-{f}-{}", g.id)).collect();
                            let (gname, gha, gmax, gdesc) = (g.name.clone(), g.ha_mode.clone(), g.max_ses.to_string(), g.description.clone());
                            view! {
                                <tr data-testid="se-group-row">
                                    <td class="name"><strong>{g.name.clone()}</strong><div class="muted small">{g.description.clone()}</div></td>
                                    <td>{kinds::ha_label(&g.ha_mode).to_string()}</td>
                                    <td class="nowrap">{format!("{} of {}", g.service_engines, g.max_ses)}</td>
                                    <td class="actions">{manage.then(|| view! {
                                        <EditInline action=edit_group label=format!("Edit SE group {name}") open=editing fields=vec![("tenant", t.clone()), ("id", g.id.clone())]>
                                            {if default {
                                                view! { <input type="hidden" name="name" value=gname/> }.into_any()
                                            } else {
                                                view! { <Field form=group_edit_state name="name" id=fids[0].clone() label="Name" value=gname/> }.into_any()
                                            }}
                                            <Field form=group_edit_state name="ha_mode" id=fids[1].clone() label="HA mode" options=ha_options value=gha/>
                                            <Field form=group_edit_state name="max_ses" id=fids[2].clone() label="Max Service Engines" kind="number" min="1" max="1000" value=gmax/>
                                            <Field form=group_edit_state name="description" id=fids[3].clone() label="Description" value=gdesc/>
                                        </EditInline>
                                        {(!default).then_some(view! {
                                            " "
                                            <Confirm action=del_group summary="Delete" label=format!("Delete SE group {name}") dialog="Confirm deletion" confirm="Yes, delete"
                                                fields=vec![("tenant", t.clone()), ("id", g.id.clone())]>
                                                "Delete SE group " <strong>{name.clone()}</strong> "? It must hold no Service Engines."
                                            </Confirm>
                                        })}
                                    })}</td>
                                </tr>
                            }
                        }).collect_view();

                        let se_empty = d.service_engines.is_empty();
                        let se_rows = d.service_engines.clone().into_iter().map(|s| {
                            let t = t.clone();
                            let name = s.name.clone();
                            let can_remove = manage && d.manual_ses;
                            view! {
                                <tr data-testid="se-row">
                                    <td class="name"><strong>{s.name.clone()}</strong></td>
                                    <td class="mono">{s.mgmt_ip.clone()}</td>
                                    <td>{s.se_group_name.clone()}</td>
                                    <td class="nowrap">{fmt_time(s.created_at)}<div class="muted">{s.created_by.clone()}</div></td>
                                    <td class="actions">{can_remove.then(|| view! {
                                        <Confirm action=del_se summary="Remove" label=format!("Remove Service Engine {name}") dialog="Confirm removal" confirm="Yes, remove"
                                            fields=vec![("tenant", t), ("id", s.id.clone())]>
                                            "Remove Service Engine " <strong>{name.clone()}</strong> " (" {s.mgmt_ip.clone()} ") from this cloud?"
                                        </Confirm>
                                    })}</td>
                                </tr>
                            }
                        }).collect_view();

                        let vrf_names = d.vrf_contexts.iter().map(|v| v.name.clone()).collect::<Vec<_>>().join(", ");
                        let group_names = d.se_groups.iter().map(|g| g.name.clone()).collect::<Vec<_>>().join(", ");
                        let se_names = d.service_engines.iter().map(|s| s.name.clone()).collect::<Vec<_>>().join(", ");
                        let delete_question = format!(
                            "This also deletes its {} VRF context{} ({}), {} SE group{} ({}) and {} Service Engine{}{}. This cannot be undone.",
                            d.vrf_contexts.len(), if d.vrf_contexts.len() == 1 { "" } else { "s" }, vrf_names,
                            d.se_groups.len(), if d.se_groups.len() == 1 { "" } else { "s" }, group_names,
                            d.service_engines.len(), if d.service_engines.len() == 1 { "" } else { "s" },
                            if se_names.is_empty() { String::new() } else { format!(" ({se_names})") },
                        );
                        let cloud_id = c.id.clone();
                        let cloud_id2 = c.id.clone();
                        let cloud_id3 = c.id.clone();
                        let t2 = t.clone();
                        let t3 = t.clone();
                        let t4 = t.clone();
                        let se_hint = if c.provider {
                            "The provider's Service Engines are not shown to this tenant."
                        } else if d.manual_ses {
                            "Add this cloud's Service Engines by hand below."
                        } else {
                            "The cloud's orchestrator creates Service Engines as they are needed."
                        };
                        let is_lsc = c.cloud_type == "linux-server";
                        view! {
                            {move || non_empty(created.get()).map(|_| view! {
                                <div class="alert alert-success" role="status" data-testid="form-success">"Cloud created, with the VRF contexts global and management and the SE group Default-Group."</div>
                            })}
                            <div class="page-header">
                                <h1 class="page-title">{c.name.clone()}</h1>
                                <a class="btn" href=list_href>"All clouds"</a>
                            </div>
                            {c.provider.then(|| view! {
                                <div class="alert alert-info" role="note" data-testid="provider-note">"A provider cloud of the admin tenant: this tenant uses it, read-only. Its objects stay in the admin tenant."</div>
                            })}
                            <dl class="facts">
                                <div><dt>"Type"</dt><dd data-testid="cloud-type-label">{kinds::label(&c.cloud_type).to_string()}
                                    {c.provider.then(|| view! { " " <span class="badge badge-info">"provider"</span> })}</dd></div>
                                {settings_facts(&c.cloud_type, &c.config)}
                                <div><dt>"Created"</dt><dd>{fmt_time(c.created_at)}<div class="muted small">{c.created_by.clone()}</div></dd></div>
                            </dl>

                            <section aria-labelledby="vrf-title">
                                <h2 class="card-title" id="vrf-title">"VRF contexts"</h2>
                                {move || error_banner(del_vrf.value().get().and_then(Result::err))}
                                <Success action=edit_vrf message=|n: &String| (format!("VRF context {n} saved."), None)/>
                                <Success action=del_vrf message=|_: &()| ("VRF context deleted.".to_string(), None)/>
                                {vrf_edit_state.banner(&["name", "description"])}
                                <div class="table-wrap">
                                    {if d.vrf_contexts.is_empty() {
                                        view! { <EmptyState title="No VRF contexts shown".to_string() hint="This tenant has its own routing domain: the provider's VRF contexts stay hidden.".to_string()/> }.into_any()
                                    } else {
                                        view! {
                                            <table class="data-table" aria-label="VRF contexts">
                                                <thead><tr><th>"Name"</th><th>"Traffic"</th><th>"Description"</th><th class="actions"><span class="sr-only">"Actions"</span></th></tr></thead>
                                                <tbody>{vrf_rows}</tbody>
                                            </table>
                                        }.into_any()
                                    }}
                                </div>
                                {manage.then(|| view! {
                                    <details class="card add-card">
                                        <summary>"Add VRF context"</summary>
                                        <ActionForm action=add_vrf node_ref=vrf_form attr:class="form" attr:aria-label="Add VRF context">
                                            <input type="hidden" name="tenant" value=t.clone()/>
                                            <input type="hidden" name="cloud_id" value=cloud_id/>
                                            {vrf_state.banner(&["name", "description"])}
                                            <Success action=add_vrf message=|n: &String| (format!("VRF context {n} added."), None)/>
                                            <div class="form-row">
                                                <Field form=vrf_state name="name" id="vrf-new-name" label="Name" required=true placeholder="tenant-a-data"/>
                                                <Field form=vrf_state name="description" id="vrf-new-desc" label="Description"/>
                                            </div>
                                            <div class="form-actions"><button class="btn btn-primary" type="submit" disabled=move || add_vrf.pending().get()>"Add VRF context"</button></div>
                                        </ActionForm>
                                    </details>
                                })}
                            </section>

                            <section aria-labelledby="groups-title">
                                <h2 class="card-title" id="groups-title">"SE groups"</h2>
                                {move || error_banner(del_group.value().get().and_then(Result::err))}
                                <Success action=edit_group message=|n: &String| (format!("SE group {n} saved."), None)/>
                                <Success action=del_group message=|_: &()| ("SE group deleted.".to_string(), None)/>
                                {group_edit_state.banner(&["name", "ha_mode", "max_ses", "description"])}
                                <div class="table-wrap">
                                    <table class="data-table" aria-label="SE groups">
                                        <thead><tr><th>"Name"</th><th>"HA mode"</th><th>"Service Engines"</th><th class="actions"><span class="sr-only">"Actions"</span></th></tr></thead>
                                        <tbody>{group_rows}</tbody>
                                    </table>
                                </div>
                                {manage.then(|| view! {
                                    <details class="card add-card">
                                        <summary>"Add SE group"</summary>
                                        <ActionForm action=add_group node_ref=group_form attr:class="form" attr:aria-label="Add SE group">
                                            <input type="hidden" name="tenant" value=t2/>
                                            <input type="hidden" name="cloud_id" value=cloud_id2/>
                                            {group_state.banner(&["name", "ha_mode", "max_ses", "description"])}
                                            <Success action=add_group message=|n: &String| (format!("SE group {n} added."), None)/>
                                            <div class="form-row">
                                                <Field form=group_state name="name" id="group-new-name" label="Name" required=true placeholder="web-tier"/>
                                                <Field form=group_state name="ha_mode" id="group-new-ha" label="HA mode" options=ha_options.clone() value="shared".to_string()/>
                                                <Field form=group_state name="max_ses" id="group-new-max" label="Max Service Engines" kind="number" min="1" max="1000" value="10".to_string() wrap="field-narrow"/>
                                            </div>
                                            <Field form=group_state name="description" id="group-new-desc" label="Description"/>
                                            <div class="form-actions"><button class="btn btn-primary" type="submit" disabled=move || add_group.pending().get()>"Add SE group"</button></div>
                                        </ActionForm>
                                    </details>
                                })}
                            </section>

                            <section aria-labelledby="ses-title">
                                <h2 class="card-title" id="ses-title">"Service Engines"</h2>
                                {move || error_banner(del_se.value().get().and_then(Result::err))}
                                <Success action=del_se message=|_: &()| ("Service Engine removed.".to_string(), None)/>
                                <div class="table-wrap">
                                    {if se_empty {
                                        view! { <EmptyState title="No Service Engines".to_string() hint=se_hint.to_string()/> }.into_any()
                                    } else {
                                        view! {
                                            <table class="data-table" aria-label="Service Engines">
                                                <thead><tr><th>"Name"</th><th>"Management IP"</th><th>"SE group"</th><th>"Added"</th><th class="actions"><span class="sr-only">"Actions"</span></th></tr></thead>
                                                <tbody>{se_rows}</tbody>
                                            </table>
                                        }.into_any()
                                    }}
                                </div>
                                {(manage && d.manual_ses).then(|| view! {
                                    <details class="card add-card" open=se_empty>
                                        <summary>"Add Service Engine"</summary>
                                        <ActionForm action=add_se node_ref=se_form attr:class="form" attr:aria-label="Add Service Engine">
                                            <input type="hidden" name="tenant" value=t3/>
                                            {se_state.banner(&["name", "mgmt_ip", "se_group_id"])}
                                            <Success action=add_se message=|n: &String| (format!("Service Engine {n} added."), None)/>
                                            <div class="form-row">
                                                <Field form=se_state name="name" id="se-new-name" label="Name" required=true placeholder="se-1"/>
                                                <Field form=se_state name="mgmt_ip" id="se-new-ip" label="Management IP" class="mono" required=true placeholder="10.0.0.21"
                                                    hint=if is_lsc { "One of the cloud's hosts." } else { "Where the controller reaches it." }.to_string()/>
                                                <Field form=se_state name="se_group_id" id="se-new-group" label="SE group" options=group_options.clone()/>
                                            </div>
                                            <div class="form-actions"><button class="btn btn-primary" type="submit" disabled=move || add_se.pending().get()>"Add Service Engine"</button></div>
                                        </ActionForm>
                                    </details>
                                })}
                            </section>

                            {manage.then(|| {
                                let cloud_name = c.name.clone();
                                view! {
                                    <section class="danger-zone" aria-labelledby="danger-title">
                                        <h2 class="card-title" id="danger-title">"Delete this cloud"</h2>
                                        {move || error_banner(delete.value().get().and_then(Result::err))}
                                        <p class="muted">"Deletes the cloud with everything it holds."</p>
                                        <Confirm action=delete summary="Delete cloud" label=format!("Delete cloud {cloud_name}") dialog="Confirm deletion" confirm="Yes, delete the cloud"
                                            fields=vec![("tenant", t4), ("id", cloud_id3)]>
                                            "Delete cloud " <strong>{cloud_name.clone()}</strong> "? " {delete_question}
                                        </Confirm>
                                    </section>
                                }
                            })}
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
