//! The IAM policy pages: the list, the editor (lint as you type, review the change
//! against the stored version, then save a version with a comment), one old version
//! with its difference to the latest and a restore, and the simulator.

use super::api::*;
use crate::components::*;
use crate::fmt_time;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use policy::iam::catalogue;

#[component]
pub fn IamPoliciesPage() -> impl IntoView {
    let tenant = tenant_param();
    let q = query_param("q");
    let cursor = query_param("cursor");
    let delete = form_action::<DeleteIamPolicy>();
    let data = Resource::new(
        move || (tenant.get(), q.get(), cursor.get(), delete.version().get()),
        |(t, q, c, _)| list_iam_policies(t, q, non_empty(c)),
    );
    view! {
        <Title text=page_title(tenant, |t| format!("IAM policies of {t}"))/>
        <div class="page-header">
            <h1 class="page-title">"IAM Policies"</h1>
            <a class="btn" href=move || format!("/t/{}/iam-simulator", tenant.get())>"Simulator"</a>
        </div>
        <p class="page-subtitle">"Who may do what, in the Define/Endorse/Admit language: " <span class="mono">"Allow"</span> " grants inside this tenant; across tenants an "
            <span class="mono">"Endorse"</span> " in the home tenant and an " <span class="mono">"Admit"</span> " here are both needed. " <span class="mono">"Deny"</span> " wins over all."</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => {
                        let t = tenant.get_untracked();
                        let shown = d.items.len();
                        let can_manage = d.can_manage;
                        let rows = d.items.into_iter().map(|p| {
                            let name = p.name.clone();
                            let t2 = t.clone();
                            view! {
                                <tr data-testid="iam-policy-row">
                                    <td class="name"><a href=format!("/t/{t}/iam-policies/{}", encode(&p.name))><strong>{p.name.clone()}</strong></a>
                                        {(!p.description.is_empty()).then(|| view! { <div class="muted small">{p.description.clone()}</div> })}</td>
                                    <td class="nowrap">{format!("{} statement{}", p.statements, if p.statements == 1 { "" } else { "s" })}</td>
                                    <td class="nowrap">{format!("v{}", p.version)}</td>
                                    <td class="nowrap">{fmt_time(p.updated_at)}<div class="muted small">{p.updated_by}</div></td>
                                    <td class="actions">{can_manage.then(|| view! {
                                        <Confirm action=delete summary="Delete" label=format!("Delete IAM policy {name}") dialog="Confirm deletion" confirm="Yes, delete"
                                            fields=vec![("tenant", t2), ("name", name.clone())]>
                                            "Delete IAM policy " <strong>{name.clone()}</strong> " and all its versions? What it grants is no longer granted."
                                        </Confirm>
                                    })}</td>
                                </tr>
                            }
                        }).collect_view();
                        let params = vec![("q".to_string(), q.get_untracked())];
                        let hint = if q.get_untracked().is_empty() { "Without a policy, only the console's roles apply." } else { "No policy matches this search." };
                        view! {
                            {move || error_banner(delete.value().get().and_then(Result::err))}
                            <Success action=delete message=|_: &()| ("IAM policy deleted.".to_string(), None)/>
                            <div class="toolbar">
                                <form class="search" method="get" role="search">
                                    <input type="search" name="q" value=q.get_untracked() aria-label="Search IAM policies" placeholder="Search by name"/>
                                    <button class="btn" type="submit">"Search"</button>
                                </form>
                                {can_manage.then(|| view! { <a class="btn btn-primary" href=format!("/t/{t}/iam-policies/new")>"New IAM policy"</a> })}
                            </div>
                            <div class="table-wrap">
                                {if shown == 0 {
                                    view! { <EmptyState title="No IAM policies".to_string() hint=hint.to_string()/> }.into_any()
                                } else {
                                    view! {
                                        <table class="data-table" aria-label="IAM policies">
                                            <thead><tr><th>"Name"</th><th>"Statements"</th><th>"Version"</th><th>"Updated"</th><th class="actions"><span class="sr-only">"Actions"</span></th></tr></thead>
                                            <tbody>{rows}</tbody>
                                        </table>
                                    }.into_any()
                                }}
                            </div>
                            <Pager next_cursor=d.next_cursor shown=shown limit=20 total=d.total params=params/>
                            <section class="card" aria-labelledby="builtin-title">
                                <h2 class="card-title" id="builtin-title">"Built-in statements"</h2>
                                <p class="field-hint">"Every tenant has these and cannot change them: they are what the roles mean. A member's role puts them in its group, and a Deny of this tenant narrows them like any grant. The last one, for global admins, no tenant's statement narrows."</p>
                                <pre class="code-block code-wrap" data-testid="builtin-statements">{policy::access::BUILTIN_POLICY}{policy::access::GLOBAL_ADMIN_STATEMENT}</pre>
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
pub fn IamEditorPage() -> impl IntoView {
    let tenant = tenant_param();
    let params = use_params_map();
    let name = Memo::new(move |_| params.read().get("name").unwrap_or_default());
    let saved = query_param("saved");
    let doc = Resource::new(
        move || (tenant.get(), name.get(), saved.get()),
        |(t, n, _)| iam_policy(t, if n == "new" { String::new() } else { n }),
    );
    view! {
        <Title text=page_title(name, |n| if n == "new" { "New IAM policy".to_string() } else { format!("IAM policy {n}") })/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match doc.await {
                    Ok(d) => view! { <IamEditor tenant=tenant.get_untracked() doc=d saved=saved.get_untracked()/> }.into_any(),
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Each Define of a tenancy, with the tenant it names (a warning when unknown).
fn defines_list(defines: Vec<DefineRow>) -> impl IntoView {
    (!defines.is_empty()).then(|| {
        view! {
            <ul class="define-list" data-testid="defines">
                {defines.into_iter().map(|d| view! {
                    <li>
                        <span class="muted">{format!("Line {}: ", d.line)}</span>
                        <span class="mono">{d.alias.clone()}</span>
                        {match d.tenant_name {
                            Some(n) => view! { " is tenant " <strong>{n}</strong> }.into_any(),
                            None => view! { " " <span class="badge badge-warn" title=d.ocid.clone()>"not a tenant of this console"</span> }.into_any(),
                        }}
                    </li>
                }).collect_view()}
            </ul>
        }
    })
}

#[component]
fn IamEditor(tenant: String, doc: IamDoc, saved: String) -> impl IntoView {
    let review = form_action::<ReviewIamPolicy>();
    let save = form_action::<SaveIamPolicy>();
    let delete = form_action::<DeleteIamPolicy>();
    let form = FormState::sticky(review);
    let typed = form.kept("text").unwrap_or_else(|| doc.text.clone());
    let (text, set_text) = signal(typed.clone());
    let area = NodeRef::<leptos::html::Textarea>::new();
    // The server's parser, compiled to wasm: every error while typing, with its column.
    let lint = Memo::new(move |_| {
        text.with(|t| match policy::iam::parse(t) {
            Ok(_) => Vec::new(),
            Err(errors) => errors.into_iter().map(policy::ncs::Issue::from).collect(),
        })
    });
    let server_issues = move || {
        review
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.issues())
            .unwrap_or_default()
    };
    let all_issues = Signal::derive(move || {
        let mut all = lint.get();
        all.extend(server_issues());
        all
    });
    let text_signal = Signal::from(text);
    // `?line=N` (the simulator's links to a deciding statement) selects that line.
    let line = query_param("line");
    Effect::new(move |_| {
        if let Ok(n) = line.get_untracked().parse::<usize>() {
            if area.get().is_some() {
                select_line(area, &text.get_untracked(), n);
            }
        }
    });
    let is_new = doc.name.is_none();
    let name = doc.name.clone().unwrap_or_default();
    let title = doc
        .name
        .clone()
        .map(|n| format!("IAM policy {n}"))
        .unwrap_or_else(|| "New IAM policy".into());
    let back = format!("/t/{tenant}/iam-policies");
    let can_manage = doc.can_manage;
    let t = tenant.clone();
    let original = name.clone();
    let lint_view = move || {
        let issues = lint.get();
        if issues.is_empty() {
            view! { <p class="lint-ok" data-testid="lint-ok">"No errors. The server checks again when you review the change."</p> }.into_any()
        } else {
            issue_list(issues, "lint-issues", area, text_signal).into_any()
        }
    };
    let review_panel = {
        let t = tenant.clone();
        move || {
            review.value().get().and_then(Result::ok).map(|r| {
                let t = t.clone();
                view! {
                    <section class="card review" aria-labelledby="review-title" data-testid="review">
                        <h2 class="card-title" id="review-title">{match r.base { Some(v) => format!("Changes against version {v}"), None => "The new policy".to_string() }}</h2>
                        <p class="muted">{format!("{} statement{}, checked by the server.", r.statements, if r.statements == 1 { "" } else { "s" })}</p>
                        {defines_list(r.defines.clone())}
                        {if r.unchanged {
                            view! { <p data-testid="review-unchanged">"Nothing changed: this is the stored text."</p> }.into_any()
                        } else {
                            view! {
                                <Diff lines=r.diff.clone() testid="review-diff" label="Changes"/>
                                <ActionForm action=save attr:class="form" attr:aria-label="Save version">
                                    <input type="hidden" name="tenant" value=t.clone()/>
                                    <input type="hidden" name="name" value=r.name.clone()/>
                                    <input type="hidden" name="description" value=r.description.clone()/>
                                    <input type="hidden" name="text" value=r.text.clone()/>
                                    <input type="hidden" name="base" value=r.base.map(|b| b.to_string()).unwrap_or_default()/>
                                    {FormState::of(save).banner(&["comment"])}
                                    <Field form=FormState::of(save) name="comment" id="save-comment" label="Comment" hint="What changed and why, for the version history." placeholder="e.g. Admit OKE-Admins of acme"/>
                                    <div class="form-actions">
                                        <button class="btn btn-primary" type="submit" disabled=move || save.pending().get()>
                                            {match r.base { Some(v) => format!("Save as version {}", v + 1), None => "Create policy".to_string() }}
                                        </button>
                                    </div>
                                </ActionForm>
                            }.into_any()
                        }}
                    </section>
                }
            })
        }
    };
    view! {
        <div class="page-header">
            <h1 class="page-title">{title}</h1>
            <a class="btn" href=back.clone()>"Back to IAM policies"</a>
        </div>
        {(!saved.is_empty()).then(|| view! { <div class="alert alert-success" role="status" data-testid="saved">{format!("Saved as version {saved}.")}</div> })}
        <p class="page-subtitle">
            {doc.updated.clone().map(|(at, by)| format!("Version {} of {}, by {by}. ", doc.version.unwrap_or(1), fmt_time(at)))}
            "One statement after another (line breaks are free, " <span class="mono">"#"</span> " starts a comment), for example "
            <span class="mono">"Allow group Ops to manage cluster-family in tenancy"</span> "."
        </p>
        {defines_list(doc.defines.clone())}
        <ActionForm action=review attr:class="form form-wide" attr:aria-label="IAM policy editor">
            <input type="hidden" name="tenant" value=t.clone()/>
            <input type="hidden" name="original" value=original.clone()/>
            {form.banner(&["name", "description", "text"])}
            {if is_new {
                view! { <Field form name="name" id="iam-name" label="Name" hint="Lowercase letters, digits and dashes, like cross-access." required=true/> }.into_any()
            } else {
                view! { <input type="hidden" name="name" value=original.clone()/> }.into_any()
            }}
            <Field form name="description" id="iam-description" label="Description" hint="Optional: what this policy is for." value=doc.description.clone()/>
            <div class="field">
                <label for="iam-text">"Statements"</label>
                <CodeEditor id="iam-text" name="text" initial=typed text set_text issues=all_issues area
                    readonly=!can_manage describedby="iam-lint"
                    on_edit=Callback::new(move |_| review.value().set(None))/>
            </div>
            <div id="iam-lint" class="lint" aria-live="polite">
                {move || review.value().get().and_then(Result::err).map(|e| {
                    let issues = e.issues();
                    view! {
                        <div class="alert alert-error" role="alert" data-testid="review-error">
                            <p><strong>"Not saved. "</strong>{e.to_string()}</p>
                            {(!issues.is_empty()).then(|| issue_list(issues, "server-issues", area, text_signal))}
                        </div>
                    }
                })}
                {lint_view}
            </div>
            {move || save.value().get().and_then(Result::err).map(|e| view! {
                <div class="alert alert-error" role="alert" data-testid="save-error"><p><strong>"Not saved. "</strong>{e.to_string()}</p></div>
            })}
            {can_manage.then(|| view! {
                <div class="form-actions">
                    <button class="btn btn-primary" type="submit" disabled=move || review.pending().get()>"Review changes"</button>
                    <a class="btn" href=back.clone()>"Cancel"</a>
                </div>
            })}
        </ActionForm>
        {review_panel}
        {(!is_new).then(|| view! { <Versions tenant=tenant.clone() name=name.clone() latest=doc.version.unwrap_or(1)/> })}
        {(can_manage && !is_new).then(|| {
            let t_delete = tenant.clone();
            view! {
                <section class="card danger-zone" aria-labelledby="delete-title">
                    <h2 class="card-title" id="delete-title">"Delete this policy"</h2>
                    {move || error_banner(delete.value().get().and_then(Result::err))}
                    {move || matches!(delete.value().get(), Some(Ok(()))).then(|| view! { <div class="alert alert-success" role="status">"Deleted. " <a href=format!("/t/{}/iam-policies", t_delete)>"Back to IAM policies"</a></div> })}
                    <Confirm action=delete summary="Delete policy" label=format!("Delete IAM policy {name}") dialog="Confirm deletion" confirm="Yes, delete"
                        fields=vec![("tenant", tenant.clone()), ("name", name.clone())]>
                        "Delete " <strong>{name.clone()}</strong> " and all its versions? What it grants is no longer granted."
                    </Confirm>
                </section>
            }
        })}
    }
}

/// The version history of a policy, newest first, each with a link to view it.
#[component]
fn Versions(
    tenant: String,
    name: String,
    /// The latest version, as the editor's document has it (no second read for it).
    latest: i64,
) -> impl IntoView {
    let cursor = query_param("cursor");
    let (t, n) = (tenant.clone(), name.clone());
    let data = Resource::new(
        move || cursor.get(),
        move |c| iam_versions(t.clone(), n.clone(), non_empty(c)),
    );
    view! {
        <section aria-labelledby="versions-title">
            <h2 class="card-title" id="versions-title">"Versions"</h2>
            <Suspense fallback=Loading>
                {move || {
                    let (tenant, name) = (tenant.clone(), name.clone());
                    Suspend::new(async move {
                        match data.await {
                            Ok(v) => {
                                let shown = v.items.len();
                                let rows = v.items.into_iter().map(|r| view! {
                                    <tr data-testid="version-row">
                                        <td class="nowrap"><strong>{format!("v{}", r.version)}</strong>{(r.version == latest).then(|| view! { " " <span class="badge badge-ok">"latest"</span> })}</td>
                                        <td>{r.comment}</td>
                                        <td class="nowrap">{fmt_time(r.created_at)}<div class="muted small">{r.created_by}</div></td>
                                        <td class="actions">{(r.version != latest).then(|| view! {
                                            <a class="btn btn-small" href=format!("/t/{tenant}/iam-policies/{}/versions/{}", encode(&name), r.version)>{format!("View v{}", r.version)}</a>
                                        })}</td>
                                    </tr>
                                }).collect_view();
                                view! {
                                    <div class="table-wrap">
                                        <table class="data-table" aria-label="Versions">
                                            <thead><tr><th>"Version"</th><th>"Comment"</th><th>"Saved"</th><th class="actions"><span class="sr-only">"Actions"</span></th></tr></thead>
                                            <tbody>{rows}</tbody>
                                        </table>
                                    </div>
                                    <Pager next_cursor=v.next_cursor shown=shown limit=10 total=v.total params=Vec::new()/>
                                }.into_any()
                            }
                            Err(error) => view! { <ErrorView error/> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </section>
    }
}

#[component]
pub fn IamVersionPage() -> impl IntoView {
    let tenant = tenant_param();
    let params = use_params_map();
    let name = Memo::new(move |_| params.read().get("name").unwrap_or_default());
    let version = Memo::new(move |_| {
        params
            .read()
            .get("version")
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
    });
    let restore = form_action::<RestoreIamVersion>();
    let data = Resource::new(
        move || (tenant.get(), name.get(), version.get()),
        |(t, n, v)| iam_version(t, n, v),
    );
    view! {
        <Title text=page_title(name, |n| format!("IAM policy {n}, an old version"))/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(v) => {
                        let t = tenant.get_untracked();
                        let editor = format!("/t/{t}/iam-policies/{}", encode(&v.name));
                        view! {
                            <div class="page-header">
                                <h1 class="page-title">{format!("{}, version {}", v.name, v.row.version)}</h1>
                                <a class="btn" href=editor.clone()>"Back to the policy"</a>
                            </div>
                            <p class="page-subtitle">{format!("Saved {} by {}: {}. The latest version is {}.", fmt_time(v.row.created_at), v.row.created_by, v.row.comment, v.latest)}</p>
                            {move || error_banner(restore.value().get().and_then(Result::err))}
                            <section class="card" aria-labelledby="text-title">
                                <h2 class="card-title" id="text-title">"Text of this version"</h2>
                                <pre class="code-block" data-testid="version-text" tabindex="0">{v.text.clone()}</pre>
                            </section>
                            <section class="card" aria-labelledby="diff-title">
                                <h2 class="card-title" id="diff-title">{format!("From version {} to the latest ({})", v.row.version, v.latest)}</h2>
                                <Diff lines=v.diff_to_latest.clone() testid="version-diff" label="Changes since this version"/>
                            </section>
                            {v.can_manage.then(|| view! {
                                <div class="form-actions">
                                    <Confirm action=restore summary="Restore this version" label=format!("Restore version {}", v.row.version) dialog="Confirm restore" confirm="Yes, restore"
                                        fields=vec![("tenant", t.clone()), ("name", v.name.clone()), ("version", v.row.version.to_string()), ("base", v.latest.to_string())]>
                                        "Save version " {v.row.version} "'s text again as version " {v.latest + 1} "? The versions between stay in the history."
                                    </Confirm>
                                </div>
                            })}
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn IamSimulatorPage() -> impl IntoView {
    let tenant = tenant_param();
    let simulate = form_action::<SimulateIam>();
    let form = FormState::sticky(simulate);
    let resource_types: Vec<&'static str> = catalogue::TYPES.iter().map(|t| t.name).collect();
    view! {
        <Title text=page_title(tenant, |t| format!("IAM simulator of {t}"))/>
        <div class="page-header">
            <h1 class="page-title">"IAM Simulator"</h1>
            <a class="btn" href=move || format!("/t/{}/iam-policies", tenant.get())>"IAM policies"</a>
        </div>
        <p class="page-subtitle">"Can this principal do this on that? The answer uses the stored policies of both tenants, and names the statements that decided."</p>
        <ActionForm action=simulate attr:class="form form-grid" attr:aria-label="Simulator">
            <input type="hidden" name="tenant" value=move || tenant.get()/>
            {form.banner(&["principal_tenant", "target_tenant", "resource_type", "verb", "permission", "groups"])}
            <fieldset class="fieldset">
                <legend>"Who"</legend>
                <Field form name="principal_tenant" id="sim-principal-tenant" label="Principal's tenant" hint="Name or id of the tenant the principal belongs to." value=tenant.get_untracked() required=true/>
                <Field form name="groups" id="sim-groups" label="Groups" hint="Its groups in that tenant, comma-separated." placeholder="OKE-Admins"/>
                <Field form name="user_name" id="sim-user" label="User name" hint="Optional."/>
                <Field form name="principal_type" id="sim-type" label="Principal type" hint="Optional: user when empty; nodepool, service…"/>
            </fieldset>
            <fieldset class="fieldset">
                <legend>"What, where"</legend>
                <div class="field">
                    <label for="sim-verb">"Verb"</label>
                    <select id="sim-verb" name="verb">
                        <option value="">"— or give a permission —"</option>
                        {["inspect", "read", "use", "manage"].map(|v| {
                            let selected = form.kept("verb").as_deref() == Some(v) || (form.kept("verb").is_none() && v == "manage");
                            view! { <option value=v selected=selected>{v}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <Field form name="permission" id="sim-permission" label="Permission" hint="Instead of a verb, e.g. CLUSTER_CREATE." placeholder="CLUSTER_CREATE"/>
                <Field form name="resource_type" id="sim-resource" label="Resource type" list="sim-resource-types" required=true placeholder="clusters"/>
                <datalist id="sim-resource-types">{resource_types.into_iter().map(|t| view! { <option value=t></option> }).collect_view()}</datalist>
                <Field form name="target_tenant" id="sim-target" label="Target tenant" hint="Name or id of the tenant the resource is in." required=true/>
                <Field form name="compartment" id="sim-compartment" label="Compartment" hint="Optional path, e.g. SharedOKEClusters:team-a."/>
            </fieldset>
            <div class="form-actions">
                <button class="btn btn-primary" type="submit" disabled=move || simulate.pending().get()>"Simulate"</button>
            </div>
        </ActionForm>
        {move || simulate.value().get().and_then(Result::ok).map(|a| {
            let class = if a.allowed { "check-result check-allowed" } else { "check-result check-denied" };
            view! {
                <section class=class data-testid="sim-result" data-reason=a.reason.clone() role="status">
                    // The explanation starts with the verdict, which is shown in bold.
                    <p data-testid="sim-explanation"><strong>{if a.allowed { "Allowed. " } else { "Denied. " }}</strong>
                        {a.explanation.split_once(": ").map(|(_, why)| why.to_string()).unwrap_or_else(|| a.explanation.clone())}</p>
                    {(!a.statements.is_empty()).then(|| view! {
                        <ul class="sim-statements">
                            {a.statements.clone().into_iter().map(|s| view! {
                                <li data-testid="sim-statement">
                                    <span class="badge">{s.kind.clone()}</span> " " {s.tenant_name.clone()}
                                    {match (s.link.clone(), s.policy.clone(), s.line) {
                                        (Some(href), Some(p), Some(l)) => view! { " · " <a href=href>{format!("{p}, line {l}")}</a> }.into_any(),
                                        _ => view! { " · " <span class="muted">"a statement you cannot read"</span> }.into_any(),
                                    }}
                                    {s.text.clone().map(|t| view! { <div class="mono small">{t}</div> })}
                                </li>
                            }).collect_view()}
                        </ul>
                    })}
                </section>
            }
        })}
    }
}
