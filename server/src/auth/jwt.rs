//! Bearer JWTs from a configured OpenID Provider (seed 004): the signature is checked
//! against the provider's JWKS, and `iss`, `aud` (the console's client id) and `exp`
//! are verified (and `nbf` when present). The roles claim holds `<tenant-uuid>_<role>` entries, which become the
//! caller's roles for that request.

use super::provider::Provider;
use crate::AppState;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use policy::Role;
use serde::Deserialize;
use std::time::{Duration, Instant};

/// How long a fetched key set is trusted before it is fetched again.
const JWKS_MAX_AGE: Duration = Duration::from_secs(3600);
/// The least time between two fetches forced by an unknown key id.
const JWKS_MIN_REFRESH: Duration = Duration::from_secs(30);

#[derive(Deserialize)]
struct Claims {
    sub: Option<String>,
    client_id: Option<String>,
    email: Option<String>,
    #[serde(flatten)]
    rest: serde_json::Map<String, serde_json::Value>,
}

/// Parses `<tenant-uuid>_<role>` entries; others (another app's roles) are ignored.
pub fn parse_roles(values: &[String]) -> Vec<(domain::TenantId, Role)> {
    values
        .iter()
        .filter_map(|v| {
            let (tenant, role) = v.split_once('_')?;
            Some((domain::TenantId::parse(tenant)?, role.parse().ok()?))
        })
        .collect()
}

fn asymmetric(alg: Algorithm) -> bool {
    !matches!(alg, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512)
}

/// Verifies `token` against every configured provider; the first that accepts it wins.
pub async fn principal(st: &AppState, token: &str) -> Result<domain::Principal, String> {
    let header = decode_header(token).map_err(|e| format!("not a JWT: {e}"))?;
    if !asymmetric(header.alg) {
        return Err("symmetric JWT algorithms are not accepted".into());
    }
    let mut last = "no OpenID Provider is configured".to_string();
    for provider in st.oidc.all() {
        match verify(st, provider, token, header.alg, header.kid.as_deref()).await {
            Ok(p) => return Ok(p),
            Err(e) => last = e,
        }
    }
    Err(last)
}

async fn verify(
    st: &AppState,
    provider: &Provider,
    token: &str,
    alg: Algorithm,
    kid: Option<&str>,
) -> Result<domain::Principal, String> {
    let meta = st.oidc.discover(provider).await?;
    let jwks_uri = meta
        .jwks_uri
        .as_deref()
        .ok_or("the provider publishes no jwks_uri")?;
    let key = key_for(st, provider, jwks_uri, kid).await?;
    let mut validation = Validation::new(alg);
    validation.set_issuer(&[meta.issuer.as_str()]);
    validation.set_audience(&[provider.client_id()]);
    validation.set_required_spec_claims(&["exp", "iss", "aud"]);
    // A token that is not valid yet is refused like an expired one.
    validation.validate_nbf = true;
    let data =
        decode::<Claims>(token, &key, &validation).map_err(|e| format!("JWT rejected: {e}"))?;
    let claims = data.claims;
    let subject = claims
        .sub
        .or(claims.client_id)
        .ok_or("the JWT has no subject")?;
    let roles = claim_values(claims.rest.get(provider.roles_claim()));
    // Without a configured groups claim, the console's own group memberships apply.
    let groups = provider
        .groups_claim()
        .map(|c| domain::directory::parse_claimed_groups(&claim_values(claims.rest.get(c))));
    domain::directory::principal_for_jwt(
        &st.db,
        &meta.issuer,
        &subject,
        claims.email.as_deref(),
        parse_roles(&roles),
    )
    .await
    .map(|p| match groups {
        Some(g) => p.with_token_groups(g),
        None => p,
    })
    .map_err(|e| e.to_string())
}

/// A claim's values: a JSON array of strings, or one string separated by spaces or
/// commas (providers do both).
pub fn claim_values(claim: Option<&serde_json::Value>) -> Vec<String> {
    match claim {
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        Some(serde_json::Value::String(s)) => s
            .split([' ', ','])
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

/// The claims of an ID token that was verified already (by the OpenID Connect client),
/// for the custom claims that client does not model (the groups claim).
pub fn verified_claims(token: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    let header = decode_header(token).ok()?;
    let mut v = Validation::new(header.alg);
    v.insecure_disable_signature_validation();
    v.validate_aud = false;
    v.validate_exp = false;
    v.required_spec_claims.clear();
    decode::<serde_json::Map<String, serde_json::Value>>(token, &DecodingKey::from_secret(&[]), &v)
        .ok()
        .map(|d| d.claims)
}

/// Finds the key for `kid`, fetching the key set when it is missing, stale, or lacks
/// that key (providers rotate keys).
async fn key_for(
    st: &AppState,
    provider: &Provider,
    jwks_uri: &str,
    kid: Option<&str>,
) -> Result<DecodingKey, String> {
    let pick = |set: &JwkSet| -> Option<DecodingKey> {
        let jwk = match kid {
            Some(k) => set.find(k)?,
            None if set.keys.len() == 1 => set.keys.first()?,
            None => return None,
        };
        DecodingKey::from_jwk(jwk).ok()
    };
    let cache = provider.keys();
    if let Some((set, at)) = cache.0.read().await.as_ref() {
        if at.elapsed() < JWKS_MAX_AGE {
            if let Some(key) = pick(set) {
                return Ok(key);
            }
            if at.elapsed() < JWKS_MIN_REFRESH {
                return Err("unknown JWT key id".into());
            }
        }
    }
    let body = st
        .oidc
        .http()
        .get(jwks_uri)
        .send()
        .await
        .map_err(|e| format!("JWKS: {e}"))?
        .bytes()
        .await
        .map_err(|e| format!("JWKS: {e}"))?;
    let set: JwkSet = serde_json::from_slice(&body).map_err(|e| format!("JWKS: {e}"))?;
    let key = pick(&set);
    *cache.0.write().await = Some((set, Instant::now()));
    key.ok_or_else(|| "unknown JWT key id".into())
}

#[cfg(test)]
mod tests {
    use super::parse_roles;

    #[test]
    fn roles_are_tenant_uuid_underscore_role() {
        let t = "7e57a000-0000-4000-8000-00000000ac3e";
        let roles = parse_roles(&[
            format!("{t}_tenant-admin"),
            format!("{t}_owner"),
            "admin".into(),
            "x_viewer".into(),
        ]);
        assert_eq!(roles.len(), 1);
        assert_eq!(roles[0].0.to_string(), t);
        assert_eq!(roles[0].1, policy::Role::TenantAdmin);
    }
}
