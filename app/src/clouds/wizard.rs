//! The cloud creation wizard. Its steps are URLs
//! (`/clouds/new?step=type|settings|review&type=…&draft=…`) rendered by the server, so
//! Back, Next and reload work the same with or without JavaScript; what was entered lives
//! in a server-side draft between the steps, and a secret is never sent back.

use super::api::*;
use super::pages::{setting, settings_facts};
use crate::components::*;
use leptos::prelude::*;
use leptos_meta::Title;
use policy::clouds::{self as kinds, CLOUD_KINDS};
use serde_json::Value;

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
