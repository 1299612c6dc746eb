//! Server functions of IAM policies (seed 001): list, read, review a change against the
//! stored version, save a version, delete; the versions of a policy and restoring one;
//! and the simulator. Thin: who, which tenant, then the domain does it.

// A server function's arguments are its form's fields, one each (so that forms work
// without JavaScript); the simulator's form has ten.
#![allow(clippy::too_many_arguments)]

use crate::components::DiffLine;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use {
    crate::components::{non_empty, text_diff},
    crate::ssr::scope,
    domain::iam,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IamRow {
    pub name: String,
    pub description: String,
    pub version: i64,
    pub statements: i64,
    pub updated_at: i64,
    pub updated_by: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IamList {
    pub items: Vec<IamRow>,
    pub next_cursor: Option<String>,
    pub total: Option<i64>,
    pub can_manage: bool,
}

/// A tenancy Define, with the tenant it names where this console knows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DefineRow {
    pub line: u32,
    pub alias: String,
    pub ocid: String,
    pub tenant_name: Option<String>,
}

/// The editor's document: a stored policy, or the template of a new one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IamDoc {
    /// `None` for a new policy.
    pub name: Option<String>,
    pub description: String,
    pub text: String,
    pub version: Option<i64>,
    pub updated: Option<(i64, String)>,
    pub defines: Vec<DefineRow>,
    pub can_manage: bool,
}

/// The answer of "review changes": the server's check passed, and this is the change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    /// The reviewed text, which the save form then posts.
    pub text: String,
    pub name: String,
    pub description: String,
    pub diff: Vec<DiffLine>,
    /// The version the change is against (the latest now), `None` for a new policy.
    pub base: Option<i64>,
    pub statements: usize,
    pub defines: Vec<DefineRow>,
    pub unchanged: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersionRow {
    pub version: i64,
    pub comment: String,
    pub created_at: i64,
    pub created_by: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersionList {
    pub items: Vec<VersionRow>,
    pub next_cursor: Option<String>,
    pub total: Option<i64>,
}

/// One old version, and how the latest differs from it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersionView {
    pub name: String,
    pub row: VersionRow,
    pub text: String,
    pub latest: i64,
    /// From this version to the latest.
    pub diff_to_latest: Vec<DiffLine>,
    pub can_manage: bool,
}

/// A deciding statement as the caller may see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimStatement {
    pub tenant_name: String,
    pub kind: String,
    pub policy: Option<String>,
    pub line: Option<u32>,
    pub text: Option<String>,
    /// Whether the caller can open the policy (their own tenant's, or one they read).
    pub link: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimAnswer {
    pub allowed: bool,
    pub reason: String,
    pub explanation: String,
    pub statements: Vec<SimStatement>,
}

/// Sample text for a new policy.
#[cfg(feature = "ssr")]
const TEMPLATE: &str =
    "# Who in this tenant may do what. Keywords: Allow, Deny, Define, Endorse, Admit.\n\
Allow group Ops to read all-resources in tenancy\n";

#[cfg(feature = "ssr")]
async fn define_rows(
    db: &domain::Db,
    doc: &policy::iam::Document,
) -> Result<Vec<DefineRow>, AppError> {
    Ok(iam::defines(db, doc)
        .await?
        .into_iter()
        .map(|d| DefineRow {
            line: d.line,
            alias: d.alias,
            ocid: d.ocid,
            tenant_name: d.tenant_name,
        })
        .collect())
}

#[server(prefix = "/fn", endpoint = "list_iam_policies")]
pub async fn list_iam_policies(
    tenant: String,
    q: String,
    cursor: Option<String>,
) -> Result<IamList, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("list_iam_policies", &tenant).await?;
        let page = iam::list_policies(
            &ctx.db,
            &scope,
            &q,
            cursor.and_then(non_empty).as_deref(),
            None,
        )
        .await?;
        Ok(IamList {
            items: page
                .items
                .into_iter()
                .map(|p| IamRow {
                    name: p.name,
                    description: p.description,
                    version: p.version,
                    statements: p.statements,
                    updated_at: p.updated_at,
                    updated_by: p.updated_by,
                })
                .collect(),
            next_cursor: page.next_cursor,
            total: page.total,
            can_manage: scope.allows("IAM_POLICY_CREATE"),
        })
    })
    .await
}

#[server(prefix = "/fn", endpoint = "iam_policy")]
pub async fn iam_policy(tenant: String, name: String) -> Result<IamDoc, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("iam_policy", &tenant).await?;
        let can_manage = scope.allows("IAM_POLICY_UPDATE");
        if name.is_empty() {
            // A viewer gets no editor for a policy they could not save.
            scope.require("IAM_POLICY_CREATE")?;
            return Ok(IamDoc {
                name: None,
                description: String::new(),
                text: TEMPLATE.to_string(),
                version: None,
                updated: None,
                defines: Vec::new(),
                can_manage,
            });
        }
        let p = iam::get_policy(&ctx.db, &scope, &name).await?;
        // A stored document was checked when saved; one that no longer parses shows no
        // Defines rather than no page.
        let defines = match policy::iam::parse(&p.text) {
            Ok(doc) => define_rows(&ctx.db, &doc).await?,
            Err(_) => Vec::new(),
        };
        Ok(IamDoc {
            name: Some(p.name),
            description: p.description,
            text: p.text,
            version: Some(p.version),
            updated: Some((p.updated_at, p.updated_by)),
            defines,
            can_manage,
        })
    })
    .await
}

/// Checks a change on the server and shows it against the stored version: the step
/// before a save.
#[server(prefix = "/fn", endpoint = "review_iam_policy")]
pub async fn review_iam_policy(
    tenant: String,
    original: String,
    name: String,
    description: String,
    text: String,
) -> Result<Review, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("review_iam_policy", &tenant).await?;
        scope.require("IAM_POLICY_UPDATE")?;
        let name = if original.is_empty() {
            iam::check_name(&name)?
        } else {
            original.clone()
        };
        let doc = iam::check(&text)?;
        let stored = match iam::get_policy(&ctx.db, &scope, &name).await {
            Ok(p) => Some(p),
            Err(domain::DomainError::NotFound(_)) if original.is_empty() => None,
            Err(e) => return Err(e.into()),
        };
        if original.is_empty() && stored.is_some() {
            return Err(domain::DomainError::conflict(
                "policy_exists",
                format!("An IAM policy named {name} already exists. Edit it instead."),
            )
            .into());
        }
        let before = stored.as_ref().map(|p| p.text.as_str()).unwrap_or("");
        Ok(Review {
            diff: text_diff(before, &text),
            unchanged: stored
                .as_ref()
                .is_some_and(|p| p.text == text && p.description == description.trim()),
            base: stored.as_ref().map(|p| p.version),
            statements: doc.statements.len(),
            defines: define_rows(&ctx.db, &doc).await?,
            name,
            description: description.trim().to_string(),
            text,
        })
    })
    .await
}

/// Saves a reviewed change as a new version, on top of `base` (empty for a new policy).
#[server(prefix = "/fn", endpoint = "save_iam_policy")]
pub async fn save_iam_policy(
    tenant: String,
    name: String,
    description: String,
    text: String,
    comment: String,
    base: String,
) -> Result<i64, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("save_iam_policy", &tenant).await?;
        let base = match base.trim() {
            "" => iam::Base::New,
            v => iam::Base::Version(v.parse().map_err(|_| {
                AppError::from(domain::DomainError::invalid(
                    "base",
                    "Review the change again.",
                ))
            })?),
        };
        let saved = iam::save_policy(
            &ctx.db,
            &scope,
            iam::Save {
                name: &name,
                text: &text,
                description: Some(&description),
                comment: &comment,
                base,
            },
        )
        .await?;
        leptos_axum::redirect(&format!(
            "/t/{}/iam-policies/{}?saved={}",
            scope.tenant_name(),
            saved.name,
            saved.version
        ));
        Ok(saved.version)
    })
    .await
}

#[server(prefix = "/fn", endpoint = "delete_iam_policy")]
pub async fn delete_iam_policy(tenant: String, name: String) -> Result<(), AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("delete_iam_policy", &tenant).await?;
        iam::delete_policy(&ctx.db, &scope, &name).await?;
        Ok(())
    })
    .await
}

#[server(prefix = "/fn", endpoint = "iam_versions")]
pub async fn iam_versions(
    tenant: String,
    name: String,
    cursor: Option<String>,
) -> Result<VersionList, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("iam_versions", &tenant).await?;
        let cursor = cursor.and_then(non_empty).and_then(|c| c.parse().ok());
        let page = iam::list_versions(&ctx.db, &scope, &name, cursor, Some(10)).await?;
        Ok(VersionList {
            items: page.items.into_iter().map(version_row).collect(),
            next_cursor: page.next_cursor,
            total: page.total,
        })
    })
    .await
}

#[cfg(feature = "ssr")]
fn version_row(v: iam::PolicyVersion) -> VersionRow {
    VersionRow {
        version: v.version,
        comment: v.comment,
        created_at: v.created_at,
        created_by: v.created_by,
    }
}

#[server(prefix = "/fn", endpoint = "iam_version")]
pub async fn iam_version(
    tenant: String,
    name: String,
    version: i64,
) -> Result<VersionView, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("iam_version", &tenant).await?;
        let latest = iam::get_policy(&ctx.db, &scope, &name).await?;
        let v = iam::get_version(&ctx.db, &scope, &name, version).await?;
        Ok(VersionView {
            name,
            diff_to_latest: text_diff(&v.text, &latest.text),
            text: v.text.clone(),
            row: version_row(v),
            latest: latest.version,
            can_manage: scope.allows("IAM_POLICY_UPDATE"),
        })
    })
    .await
}

/// Restores an old version as the newest, on top of `base` (the latest the caller saw).
#[server(prefix = "/fn", endpoint = "restore_iam_version")]
pub async fn restore_iam_version(
    tenant: String,
    name: String,
    version: i64,
    base: i64,
) -> Result<i64, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("restore_iam_version", &tenant).await?;
        let saved =
            iam::restore_version(&ctx.db, &scope, &name, version, iam::Base::Version(base)).await?;
        leptos_axum::redirect(&format!(
            "/t/{}/iam-policies/{}?saved={}",
            scope.tenant_name(),
            saved.name,
            saved.version
        ));
        Ok(saved.version)
    })
    .await
}

/// "Can this principal do this on that?", with the documents of both tenants.
#[server(prefix = "/fn", endpoint = "simulate_iam")]
pub async fn simulate_iam(
    tenant: String,
    principal_tenant: String,
    groups: String,
    user_name: String,
    principal_type: String,
    verb: String,
    permission: String,
    resource_type: String,
    target_tenant: String,
    compartment: String,
) -> Result<SimAnswer, AppError> {
    crate::ssr::respond(async move {
        let (ctx, principal, scope) = scope("simulate_iam", &tenant).await?;
        let q = iam::Question {
            principal_tenant,
            groups: groups.split(',').map(|g| g.trim().to_string()).collect(),
            user_id: None,
            user_name: non_empty(user_name),
            principal_type: non_empty(principal_type),
            verb: non_empty(verb),
            permission: non_empty(permission),
            resource_type,
            target_tenant,
            compartment: non_empty(compartment),
            operation: None,
            variables: Default::default(),
        };
        let sim = iam::simulate(&ctx.db, &principal, &scope, &q).await?;
        Ok(SimAnswer {
            allowed: sim.allowed,
            reason: sim.reason.as_str().to_string(),
            explanation: sim.explanation,
            statements: sim
                .statements
                .into_iter()
                .map(|s| SimStatement {
                    link: match (&s.policy, s.line) {
                        (Some(p), Some(l)) => {
                            Some(format!("/t/{}/iam-policies/{p}?line={l}", s.tenant_name))
                        }
                        _ => None,
                    },
                    tenant_name: s.tenant_name,
                    kind: s.kind,
                    policy: s.policy,
                    line: s.line,
                    text: s.text,
                })
                .collect(),
        })
    })
    .await
}
