//! REST routes of cross-tenant connections (seed 000): one-time secrets and the
//! connections made by redeeming them.

use super::{body, ApiResult, ErrorBody, Scoped};
use crate::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct SecretJson {
    id: String,
    /// The first characters only; the secret itself is never listed.
    hint: String,
    note: String,
    /// `pending`, `used`, `expired` or `revoked`.
    status: String,
    created_at: i64,
    created_by: String,
    expires_at: i64,
    used_at: Option<i64>,
    connection_id: Option<String>,
}

impl From<domain::connections::SecretInfo> for SecretJson {
    fn from(s: domain::connections::SecretInfo) -> Self {
        SecretJson {
            id: s.id,
            hint: s.hint,
            note: s.note,
            status: s.status.as_str().into(),
            created_at: s.created_at,
            created_by: s.created_by,
            expires_at: s.expires_at,
            used_at: s.used_at,
            connection_id: s.connection_id,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SecretList {
    items: Vec<SecretJson>,
    next_cursor: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct NewSecretJson {
    /// 300 to 2,592,000 seconds (5 minutes to 30 days); 86,400 when absent.
    expires_in_seconds: Option<i64>,
    #[serde(default)]
    note: String,
}

#[derive(Serialize, ToSchema)]
pub struct IssuedSecretJson {
    id: String,
    /// Shown only in this response. Share it over a secure channel.
    secret: String,
    expires_at: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ConnectionJson {
    id: String,
    remote_tenant_id: String,
    remote_tenant_name: String,
    /// `provides` or `consumes`.
    direction: String,
    /// `Active` or `Revoked`.
    status: String,
    created_at: i64,
    created_by: String,
    revoked_at: Option<i64>,
    revoked_by: Option<String>,
}

impl From<domain::connections::Connection> for ConnectionJson {
    fn from(c: domain::connections::Connection) -> Self {
        ConnectionJson {
            id: c.id,
            remote_tenant_id: c.remote_tenant_id.to_string(),
            remote_tenant_name: c.remote_tenant_name,
            direction: c.direction.as_str().into(),
            status: c.status,
            created_at: c.created_at,
            created_by: c.created_by,
            revoked_at: c.revoked_at,
            revoked_by: c.revoked_by,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ConnectionList {
    items: Vec<ConnectionJson>,
    next_cursor: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct RedeemJson {
    secret: String,
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct PageQuery {
    limit: Option<i64>,
    cursor: Option<String>,
}

fn client_key(
    st: &AppState,
    headers: &axum::http::HeaderMap,
    connect: &Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
) -> String {
    st.ui
        .client_ip
        .client(headers, connect.as_ref().map(|c| c.0 .0.ip()))
}

#[utoipa::path(get, path = "/connection-secrets", params(PageQuery, ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 200, body = SecretList), (status = 403, body = ErrorBody)))]
pub(super) async fn list_secrets(
    State(st): State<AppState>,
    s: Scoped,
    Query(q): Query<PageQuery>,
) -> ApiResult<Json<SecretList>> {
    let page =
        domain::connections::list_secrets(&st.db, &s.scope, q.cursor.as_deref(), q.limit).await?;
    Ok(Json(SecretList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

#[utoipa::path(post, path = "/connection-secrets", request_body = NewSecretJson, params(("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 201, body = IssuedSecretJson), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn create_secret(
    State(st): State<AppState>,
    s: Scoped,
    json: Result<Json<NewSecretJson>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<IssuedSecretJson>)> {
    let new = body(json)?;
    let issued =
        domain::connections::create_secret(&st.db, &s.scope, new.expires_in_seconds, &new.note)
            .await?;
    Ok((
        StatusCode::CREATED,
        Json(IssuedSecretJson {
            id: issued.info.id,
            secret: issued.secret,
            expires_at: issued.info.expires_at,
        }),
    ))
}

#[utoipa::path(delete, path = "/connection-secrets/{id}", params(("id" = String, Path), ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 200, body = SecretJson), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(super) async fn revoke_secret(
    State(st): State<AppState>,
    s: Scoped,
    Path(id): Path<String>,
) -> ApiResult<Json<SecretJson>> {
    Ok(Json(
        domain::connections::revoke_secret(&st.db, &s.scope, &id)
            .await?
            .into(),
    ))
}

#[utoipa::path(get, path = "/connections", params(PageQuery, ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 200, body = ConnectionList), (status = 403, body = ErrorBody)))]
pub(super) async fn list_connections(
    State(st): State<AppState>,
    s: Scoped,
    Query(q): Query<PageQuery>,
) -> ApiResult<Json<ConnectionList>> {
    let page =
        domain::connections::list_connections(&st.db, &s.scope, q.cursor.as_deref(), q.limit)
            .await?;
    Ok(Json(ConnectionList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

#[utoipa::path(post, path = "/connections", request_body = RedeemJson, params(("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 201, body = ConnectionJson), (status = 409, body = ErrorBody, description = "secret_unknown, secret_expired, secret_revoked, secret_used, self_connection, already_connected"), (status = 429, body = ErrorBody)))]
pub(super) async fn redeem(
    State(st): State<AppState>,
    s: Scoped,
    headers: axum::http::HeaderMap,
    connect: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    json: Result<Json<RedeemJson>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<ConnectionJson>)> {
    let req = body(json)?;
    let client = client_key(&st, &headers, &connect);
    let c = domain::connections::redeem(&st.db, &s.scope, &req.secret, &client).await?;
    Ok((StatusCode::CREATED, Json(c.into())))
}

#[utoipa::path(get, path = "/connections/{id}", params(("id" = String, Path), ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 200, body = ConnectionJson), (status = 404, body = ErrorBody)))]
pub(super) async fn get_connection(
    State(st): State<AppState>,
    s: Scoped,
    Path(id): Path<String>,
) -> ApiResult<Json<ConnectionJson>> {
    Ok(Json(
        domain::connections::get_connection(&st.db, &s.scope, &id)
            .await?
            .into(),
    ))
}

#[utoipa::path(delete, path = "/connections/{id}", params(("id" = String, Path), ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 200, body = ConnectionJson), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(super) async fn revoke_connection(
    State(st): State<AppState>,
    s: Scoped,
    Path(id): Path<String>,
) -> ApiResult<Json<ConnectionJson>> {
    Ok(Json(
        domain::connections::revoke_connection(&st.db, &s.scope, &id)
            .await?
            .into(),
    ))
}
