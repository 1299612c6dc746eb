//! The configured OpenID Providers, shared by browser login (`oidc`) and bearer JWTs
//! (`jwt`): their settings, the HTTP client that talks to them, and what is cached of
//! each (the discovery document for a bounded time, and the JWKS for bearer tokens).

use crate::config::{Config, OidcProviderConfig};
use jsonwebtoken::jwk::JwkSet;
use openidconnect::core::{CoreClient, CoreProviderMetadata};
use openidconnect::{
    ClientId, ClientSecret, EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl, JsonWebKey,
    RedirectUrl,
};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The cached key set of one provider.
#[derive(Default)]
pub struct KeyCache(pub(crate) tokio::sync::RwLock<Option<(JwkSet, Instant)>>);

pub(crate) type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

pub struct Discovered {
    pub(crate) client: Client,
    /// The ids of the signing keys this discovery fetched.
    pub(crate) key_ids: Vec<String>,
    pub issuer: String,
    pub(crate) end_session: Option<String>,
    pub jwks_uri: Option<String>,
}

/// How long a discovery document (and the ID-token keys it carries) is trusted. Bounded,
/// so that a provider's key rotation reaches the console without a restart.
const DISCOVERY_MAX_AGE: Duration = Duration::from_secs(600);
/// The least time between two discoveries forced by an ID token whose key id the cached
/// keys lack. Short: such a token only arrives through a login this console started (the
/// state must match), so it cannot be used to hammer the provider.
const DISCOVERY_MIN_REFRESH: Duration = Duration::from_secs(1);

pub struct Provider {
    pub(crate) cfg: OidcProviderConfig,
    redirect_url: String,
    /// Discovered on first use (so the console starts even while an IdP is down), then
    /// again once it is older than [`DISCOVERY_MAX_AGE`].
    discovered: tokio::sync::RwLock<Option<(Arc<Discovered>, Instant)>>,
    /// Its signing keys, for bearer JWTs.
    keys: KeyCache,
}

impl Provider {
    pub fn client_id(&self) -> &str {
        &self.cfg.client_id
    }
    pub fn roles_claim(&self) -> &str {
        &self.cfg.roles_claim
    }

    /// The claim whose values (`<tenant-name-or-id>/<group>`) set group memberships.
    pub fn groups_claim(&self) -> Option<&str> {
        self.cfg.groups_claim.as_deref()
    }
    pub fn keys(&self) -> &KeyCache {
        &self.keys
    }
}

/// The configured providers and the HTTP client that talks to them.
pub struct Providers {
    pub(crate) http: openidconnect::reqwest::Client,
    list: Vec<Provider>,
    pub(crate) post_logout_url: String,
}

impl Providers {
    pub fn new(config: &Config) -> Result<Providers, String> {
        // Never follow redirects from the IdP's back channel (SSRF advice of openidconnect).
        let http = openidconnect::reqwest::ClientBuilder::new()
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(|e| format!("http client: {e}"))?;
        Ok(Providers {
            http,
            list: config
                .providers
                .iter()
                .map(|p| Provider {
                    redirect_url: format!("{}/auth/oidc/{}/callback", config.public_url, p.name),
                    cfg: p.clone(),
                    discovered: Default::default(),
                    keys: Default::default(),
                })
                .collect(),
            post_logout_url: format!("{}/login?logged_out=1", config.public_url),
        })
    }

    pub fn buttons(&self) -> Vec<app::shell::api::ProviderButton> {
        self.list
            .iter()
            .map(|p| app::shell::api::ProviderButton {
                name: p.cfg.name.clone(),
                label: p.cfg.label.clone(),
            })
            .collect()
    }

    pub(crate) fn get(&self, name: &str) -> Option<&Provider> {
        self.list.iter().find(|p| p.cfg.name == name)
    }

    pub fn all(&self) -> impl Iterator<Item = &Provider> {
        self.list.iter()
    }

    pub fn http(&self) -> &openidconnect::reqwest::Client {
        &self.http
    }

    /// The provider's discovery document, from the cache while it is fresh.
    pub async fn discover(&self, p: &Provider) -> Result<Arc<Discovered>, String> {
        if let Some((d, at)) = p.discovered.read().await.as_ref() {
            if at.elapsed() < DISCOVERY_MAX_AGE {
                return Ok(d.clone());
            }
        }
        self.fetch_discovery(p, None).await
    }

    /// Discovers again because a token names a key the cached discovery lacks (the
    /// provider rotated its keys); at most once per [`DISCOVERY_MIN_REFRESH`].
    pub async fn rediscover(&self, p: &Provider) -> Result<Arc<Discovered>, String> {
        self.fetch_discovery(p, Some(DISCOVERY_MIN_REFRESH)).await
    }

    async fn fetch_discovery(
        &self,
        p: &Provider,
        unless_younger_than: Option<Duration>,
    ) -> Result<Arc<Discovered>, String> {
        let mut slot = p.discovered.write().await;
        // Another request may have refreshed it while this one waited for the lock.
        if let Some((d, at)) = slot.as_ref() {
            let fresh_enough = unless_younger_than.unwrap_or(DISCOVERY_MAX_AGE);
            if at.elapsed() < fresh_enough.min(DISCOVERY_MAX_AGE) {
                return Ok(d.clone());
            }
        }
        let issuer = IssuerUrl::new(p.cfg.issuer.clone()).map_err(|e| e.to_string())?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| format!("discovery of {}: {e}", p.cfg.issuer))?;
        let issuer = metadata.issuer().as_str().to_string();
        let key_ids = metadata
            .jwks()
            .keys()
            .iter()
            .filter_map(|k| k.key_id().map(|id| id.as_str().to_string()))
            .collect();
        let client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(p.cfg.client_id.clone()),
            p.cfg.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(RedirectUrl::new(p.redirect_url.clone()).map_err(|e| e.to_string())?);
        let extra = self.extra_metadata(&p.cfg.issuer).await;
        let text = |k: &str| extra.get(k).and_then(|v| v.as_str()).map(str::to_string);
        let d = Arc::new(Discovered {
            client,
            key_ids,
            issuer,
            end_session: text("end_session_endpoint"),
            jwks_uri: text("jwks_uri"),
        });
        *slot = Some((d.clone(), Instant::now()));
        Ok(d)
    }

    /// The discovery document as JSON, for what the core metadata type does not expose
    /// (`end_session_endpoint`) or keeps behind its own types (`jwks_uri`).
    async fn extra_metadata(&self, issuer: &str) -> serde_json::Map<String, serde_json::Value> {
        let url = format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        );
        let Ok(res) = self.http.get(url).send().await else {
            return Default::default();
        };
        let Ok(body) = res.bytes().await else {
            return Default::default();
        };
        serde_json::from_slice(&body).unwrap_or_default()
    }
}
