//! Each cloud type's settings and their checks. Pure: no database, so every rule is unit
//! tested here. A setting is either public (shown back, kept as JSON) or secret (sealed,
//! never shown back: answers say `"set"`).

use crate::{DomainError, DomainResult};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::net::IpAddr;

/// A cloud type a tenant may create.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CloudType {
    #[serde(rename = "aws")]
    Aws,
    #[serde(rename = "azure")]
    Azure,
    #[serde(rename = "linux-server")]
    LinuxServer,
    #[serde(rename = "no-orchestrator")]
    NoOrchestrator,
}

impl CloudType {
    pub fn as_str(self) -> &'static str {
        match self {
            CloudType::Aws => "aws",
            CloudType::Azure => "azure",
            CloudType::LinuxServer => "linux-server",
            CloudType::NoOrchestrator => "no-orchestrator",
        }
    }

    pub fn label(self) -> &'static str {
        policy::clouds::label(self.as_str())
    }

    /// Whether Service Engines are added and removed by hand (the orchestrator creates
    /// them in AWS and Azure).
    pub fn manual_service_engines(self) -> bool {
        matches!(self, CloudType::LinuxServer | CloudType::NoOrchestrator)
    }

    /// The type named `raw`: refused with `cloud_type_not_allowed_in_tenant` when it is a
    /// type of the admin tenant's infrastructure, and `unknown_cloud_type` otherwise.
    pub fn parse(raw: &str) -> DomainResult<CloudType> {
        match policy::clouds::kind(raw) {
            Some(k) if k.in_tenant => Ok(match k.key {
                "aws" => CloudType::Aws,
                "azure" => CloudType::Azure,
                "linux-server" => CloudType::LinuxServer,
                _ => CloudType::NoOrchestrator,
            }),
            Some(k) => Err(DomainError::Refused {
                code: "cloud_type_not_allowed_in_tenant",
                field: "type",
                message: format!(
                    "{} clouds cannot be created inside a tenant. {}",
                    k.label,
                    policy::clouds::NOT_IN_TENANT_REASON
                ),
            }),
            None => Err(DomainError::Refused {
                code: "unknown_cloud_type",
                field: "type",
                message: format!(
                    "`{}` is not a cloud type. Use aws, azure, linux-server or no-orchestrator.",
                    raw.trim()
                ),
            }),
        }
    }

    /// The names of this type's secret settings.
    pub fn secret_fields(self) -> &'static [&'static str] {
        match self {
            CloudType::Aws => &["secret_access_key"],
            CloudType::Azure => &["client_secret"],
            CloudType::LinuxServer => &["ssh_private_key"],
            CloudType::NoOrchestrator => &[],
        }
    }
}

/// Secret settings by name, in the clear (only ever inside the server).
pub type Secrets = BTreeMap<String, String>;

/// Settings that passed their checks: what is stored and shown, and what is sealed.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub public: Map<String, Value>,
    pub secrets: Secrets,
}

/// Checks `config` for a cloud of type `kind`. A secret that is absent or empty keeps
/// its value from `kept` (the wizard's draft), so Back and Next never ask for it again.
pub fn check(kind: CloudType, config: &Value, kept: &Secrets) -> DomainResult<Checked> {
    let empty = Map::new();
    let config = match config {
        Value::Object(m) => m,
        Value::Null => &empty,
        _ => {
            return Err(DomainError::invalid(
                "config",
                "config must be an object of settings.",
            ))
        }
    };
    let mut r = Reader {
        config,
        kept,
        used: Vec::new(),
        out: Checked {
            public: Map::new(),
            secrets: Secrets::new(),
        },
    };
    match kind {
        CloudType::Aws => aws(&mut r)?,
        CloudType::Azure => azure(&mut r)?,
        CloudType::LinuxServer => linux(&mut r)?,
        CloudType::NoOrchestrator => {}
    }
    if let Some(extra) = config.keys().find(|k| !r.used.contains(&k.as_str())) {
        return Err(DomainError::Refused {
            code: "invalid_input",
            field: "config",
            message: format!("`{extra}` is not a setting of {} clouds.", kind.label()),
        });
    }
    Ok(r.out)
}

struct Reader<'a> {
    config: &'a Map<String, Value>,
    kept: &'a Secrets,
    used: Vec<&'static str>,
    out: Checked,
}

impl Reader<'_> {
    /// A text setting, trimmed; `None` when absent or empty.
    fn text(&mut self, field: &'static str) -> DomainResult<Option<String>> {
        self.used.push(field);
        match self.config.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
            Some(_) => Err(DomainError::invalid(
                field,
                format!("{field} must be text."),
            )),
        }
    }

    fn required(&mut self, field: &'static str, what: &str) -> DomainResult<String> {
        self.text(field)?
            .ok_or_else(|| DomainError::invalid(field, format!("Enter the {what}.")))
    }

    fn public(&mut self, field: &'static str, value: Value) {
        self.out.public.insert(field.to_string(), value);
    }

    /// A secret: the new value, or the kept one.
    fn secret(&mut self, field: &'static str) -> DomainResult<Option<String>> {
        self.used.push(field);
        let fresh = match self.config.get(field) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.trim().is_empty() || s == "set" => None,
            Some(Value::String(s)) => Some(s.trim().to_string()),
            Some(_) => {
                return Err(DomainError::invalid(
                    field,
                    format!("{field} must be text."),
                ))
            }
        };
        Ok(fresh.or_else(|| self.kept.get(field).cloned()))
    }

    fn keep_secret(&mut self, field: &'static str, value: String) {
        self.out.secrets.insert(field.to_string(), value);
    }
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36 && uuid::Uuid::parse_str(s).is_ok()
}

fn aws(r: &mut Reader) -> DomainResult<()> {
    let region = r.required("region", "AWS region")?;
    if !policy::clouds::AWS_REGIONS
        .iter()
        .any(|(k, _)| *k == region)
    {
        return Err(DomainError::invalid(
            "region",
            format!(
                "`{region}` is not an AWS region this console supports; pick one from the list."
            ),
        ));
    }
    r.public("region", Value::String(region.clone()));

    let key_id = r.text("access_key_id")?;
    let secret = r.secret("secret_access_key")?;
    let role = r.text("iam_role_arn")?;
    match (key_id, role) {
        (Some(_), Some(_)) => {
            return Err(DomainError::invalid(
                "iam_role_arn",
                "Give either an access key or an IAM role, not both.",
            ))
        }
        (None, None) => {
            return Err(DomainError::invalid(
                "access_key_id",
                "Give an access key ID and secret access key, or an IAM role ARN.",
            ))
        }
        (Some(id), None) => {
            let ok = id.len() == 20
                && (id.starts_with("AKIA") || id.starts_with("ASIA"))
                && id
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
            if !ok {
                return Err(DomainError::invalid(
                    "access_key_id",
                    "An access key ID is 20 capital letters and digits starting with AKIA or ASIA.",
                ));
            }
            let secret = secret.ok_or_else(|| {
                DomainError::invalid("secret_access_key", "Enter the secret access key.")
            })?;
            let ok = secret.len() == 40
                && secret
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '/' || c == '+' || c == '=');
            if !ok {
                return Err(DomainError::invalid(
                    "secret_access_key",
                    "A secret access key is 40 characters of letters, digits, /, + and =.",
                ));
            }
            r.public("access_key_id", Value::String(id));
            r.keep_secret("secret_access_key", secret);
        }
        (None, Some(arn)) => {
            if !is_role_arn(&arn) {
                return Err(DomainError::invalid(
                    "iam_role_arn",
                    "An IAM role ARN looks like arn:aws:iam::123456789012:role/avi-controller.",
                ));
            }
            r.public("iam_role_arn", Value::String(arn));
        }
    }

    let vpc = r.required("vpc_id", "VPC ID")?;
    let hex = vpc.strip_prefix("vpc-").unwrap_or("");
    if !((hex.len() == 8 || hex.len() == 17)
        && hex
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)))
    {
        return Err(DomainError::invalid(
            "vpc_id",
            "A VPC ID is vpc- followed by 8 or 17 lowercase hexadecimal digits (vpc-0a1b2c3d).",
        ));
    }
    r.public("vpc_id", Value::String(vpc));

    r.used.push("availability_zones");
    let zones: Vec<String> = match r.config.get("availability_zones") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(s)) => s
            .split([',', ' ', '\n'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| v.as_str().map(|s| s.trim().to_string()))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| {
                DomainError::invalid("availability_zones", "Availability zones are names (text).")
            })?,
        Some(_) => {
            return Err(DomainError::invalid(
                "availability_zones",
                "Availability zones are a list of names.",
            ))
        }
    };
    let mut seen = Vec::new();
    for z in zones {
        let suffix = z.strip_prefix(region.as_str()).unwrap_or("");
        if suffix.len() != 1 || !suffix.chars().all(|c| c.is_ascii_lowercase()) {
            return Err(DomainError::invalid(
                "availability_zones",
                format!("`{z}` is not an availability zone of {region} (like {region}a)."),
            ));
        }
        if seen.contains(&z) {
            return Err(DomainError::invalid(
                "availability_zones",
                format!("{z} is listed twice."),
            ));
        }
        seen.push(z);
    }
    r.public(
        "availability_zones",
        Value::Array(seen.into_iter().map(Value::String).collect()),
    );
    Ok(())
}

fn is_role_arn(arn: &str) -> bool {
    let Some(rest) = arn.strip_prefix("arn:aws:iam::") else {
        return false;
    };
    let Some((account, role)) = rest.split_once(":role/") else {
        return false;
    };
    account.len() == 12
        && account.chars().all(|c| c.is_ascii_digit())
        && !role.is_empty()
        && role.len() <= 512
        && role
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-/".contains(c))
        && !role.ends_with('/')
}

fn azure(r: &mut Reader) -> DomainResult<()> {
    let sub = r.required("subscription_id", "subscription ID")?;
    if !is_uuid(&sub) {
        return Err(DomainError::invalid(
            "subscription_id",
            "A subscription ID is a UUID (00000000-0000-0000-0000-000000000000).",
        ));
    }
    r.public("subscription_id", Value::String(sub.to_ascii_lowercase()));

    let rg = r.required("resource_group", "resource group")?;
    let ok = rg.chars().count() <= 90
        && rg
            .chars()
            .all(|c| c.is_alphanumeric() || "-_.()".contains(c))
        && !rg.ends_with('.');
    if !ok {
        return Err(DomainError::invalid(
            "resource_group",
            "A resource group name has up to 90 letters, digits, -, _, ., ( and ), and does not end with a period.",
        ));
    }
    r.public("resource_group", Value::String(rg));

    let vnet = r.required("virtual_network", "virtual network")?;
    let first_ok = vnet
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric());
    let last_ok = vnet
        .chars()
        .last()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    let ok = (2..=64).contains(&vnet.len())
        && first_ok
        && last_ok
        && vnet
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if !ok {
        return Err(DomainError::invalid(
            "virtual_network",
            "A virtual network name has 2 to 64 letters, digits, -, _ and ., starts with a letter or digit and ends with a letter, digit or _.",
        ));
    }
    r.public("virtual_network", Value::String(vnet));

    for (field, what) in [
        ("client_id", "service principal's client ID"),
        ("azure_tenant_id", "Azure AD tenant ID"),
    ] {
        let v = r.required(field, what)?;
        if !is_uuid(&v) {
            return Err(DomainError::invalid(
                field,
                format!("The {what} is a UUID (00000000-0000-0000-0000-000000000000)."),
            ));
        }
        r.public(field, Value::String(v.to_ascii_lowercase()));
    }
    let secret = r.secret("client_secret")?.ok_or_else(|| {
        DomainError::invalid(
            "client_secret",
            "Enter the service principal's client secret.",
        )
    })?;
    if secret.len() > 256 || secret.chars().any(char::is_control) {
        return Err(DomainError::invalid(
            "client_secret",
            "A client secret is at most 256 printable characters.",
        ));
    }
    r.keep_secret("client_secret", secret);
    Ok(())
}

/// Hosts a Linux Server Cloud may list.
pub const MAX_HOSTS: usize = 200;

fn is_ssh_user(u: &str) -> bool {
    let mut chars = u.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && u.len() <= 32
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

fn linux(r: &mut Reader) -> DomainResult<()> {
    r.used.push("hosts");
    let hosts = match r.config.get("hosts") {
        Some(Value::Array(a)) if !a.is_empty() => a.clone(),
        Some(Value::Array(_)) | None | Some(Value::Null) => {
            return Err(DomainError::invalid("hosts", "List at least one host."))
        }
        Some(_) => {
            return Err(DomainError::invalid(
                "hosts",
                "hosts is a list of {ip, ssh_user}.",
            ))
        }
    };
    if hosts.len() > MAX_HOSTS {
        return Err(DomainError::invalid(
            "hosts",
            format!("A Linux Server Cloud lists at most {MAX_HOSTS} hosts."),
        ));
    }
    let mut seen: Vec<IpAddr> = Vec::new();
    let mut out = Vec::with_capacity(hosts.len());
    for (i, h) in hosts.iter().enumerate() {
        let n = i + 1;
        let (ip, user) = match h {
            Value::Object(m) => (
                m.get("ip").and_then(Value::as_str).unwrap_or("").trim(),
                m.get("ssh_user")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .trim(),
            ),
            _ => {
                return Err(DomainError::invalid(
                    "hosts",
                    format!("Host {n}: give an ip and an ssh_user."),
                ))
            }
        };
        let addr: IpAddr = ip.parse().map_err(|_| {
            DomainError::invalid("hosts", format!("Host {n}: `{ip}` is not an IP address."))
        })?;
        if addr.is_unspecified() || addr.is_multicast() {
            return Err(DomainError::invalid(
                "hosts",
                format!("Host {n}: {addr} cannot be a host's address."),
            ));
        }
        if seen.contains(&addr) {
            return Err(DomainError::invalid(
                "hosts",
                format!("Host {n}: {addr} is listed twice."),
            ));
        }
        if !is_ssh_user(user) {
            return Err(DomainError::invalid(
                "hosts",
                format!("Host {n} ({addr}): `{user}` is not a Linux user name (lowercase letters, digits, _ and -)."),
            ));
        }
        seen.push(addr);
        out.push(serde_json::json!({"ip": addr.to_string(), "ssh_user": user}));
    }
    r.public("hosts", Value::Array(out));
    let key = r.secret("ssh_private_key")?.ok_or_else(|| {
        DomainError::invalid(
            "ssh_private_key",
            "Paste the SSH private key the controller logs in with.",
        )
    })?;
    let key = key.replace("\r\n", "\n");
    let pem = key.starts_with("-----BEGIN ")
        && key
            .lines()
            .next()
            .is_some_and(|l| l.ends_with("PRIVATE KEY-----"))
        && key.trim_end().ends_with("PRIVATE KEY-----")
        && key.lines().count() >= 3
        && key.len() <= 16_384;
    if !pem {
        return Err(DomainError::invalid(
            "ssh_private_key",
            "Paste the whole private key, from -----BEGIN … PRIVATE KEY----- to its END line.",
        ));
    }
    r.keep_secret("ssh_private_key", key);
    Ok(())
}

/// Reads hosts written one per line as `<ip> [<ssh user>]` (the wizard's text area),
/// with `default_user` where a line names none.
pub fn host_lines(text: &str, default_user: &str) -> Value {
    let hosts = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let mut parts = l.split_whitespace();
            let ip = parts.next().unwrap_or("");
            let user = parts.next().unwrap_or(default_user.trim());
            serde_json::json!({"ip": ip.trim_end_matches(','), "ssh_user": user})
        })
        .collect();
    Value::Array(hosts)
}

/// Settings as answers show them: the public ones, and `"set"` for each secret that is.
pub fn shown(public: &Map<String, Value>, kind: CloudType, secrets_set: &[String]) -> Value {
    let mut out = public.clone();
    for f in kind.secret_fields() {
        if secrets_set.iter().any(|s| s == f) {
            out.insert((*f).to_string(), Value::String("set".into()));
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn err(kind: CloudType, config: Value) -> (String, String) {
        match check(kind, &config, &Secrets::new()) {
            Err(e) => (e.field().unwrap_or("").to_string(), e.to_string()),
            Ok(c) => panic!("accepted {config}: {c:?}"),
        }
    }

    #[test]
    fn only_the_four_tenant_types_parse() {
        assert_eq!(CloudType::parse("AWS").ok(), Some(CloudType::Aws));
        assert_eq!(
            CloudType::parse("linux-server").ok(),
            Some(CloudType::LinuxServer)
        );
        let refused = CloudType::parse("vcenter").map(|_| ()).unwrap_err();
        assert_eq!(refused.code(), "cloud_type_not_allowed_in_tenant");
        assert!(refused.to_string().contains("VMware vCenter"));
        assert_eq!(
            CloudType::parse("openshift").unwrap_err().code(),
            "cloud_type_not_allowed_in_tenant"
        );
        assert_eq!(
            CloudType::parse("mainframe").unwrap_err().code(),
            "unknown_cloud_type"
        );
    }

    #[test]
    fn aws_takes_keys_or_a_role_and_checks_each_format() {
        let good = json!({"region": "eu-west-1", "access_key_id": "AKIAIOSFODNN7EXAMPLE",
            "secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "vpc_id": "vpc-0a1b2c3d",
            "availability_zones": ["eu-west-1a", "eu-west-1b"]});
        let c = check(CloudType::Aws, &good, &Secrets::new()).expect("valid");
        assert_eq!(
            c.secrets.get("secret_access_key").map(String::len),
            Some(40)
        );
        assert!(!c.public.contains_key("secret_access_key"));
        let role = json!({"region": "us-east-1", "iam_role_arn": "arn:aws:iam::123456789012:role/avi", "vpc_id": "vpc-0123456789abcdef0"});
        assert!(check(CloudType::Aws, &role, &Secrets::new()).is_ok());

        assert_eq!(err(CloudType::Aws, json!({"region": "mars-1"})).0, "region");
        assert_eq!(
            err(
                CloudType::Aws,
                json!({"region": "us-east-1", "vpc_id": "vpc-0a1b2c3d"})
            )
            .0,
            "access_key_id"
        );
        let both = json!({"region": "us-east-1", "access_key_id": "AKIAIOSFODNN7EXAMPLE", "iam_role_arn": "arn:aws:iam::123456789012:role/a", "vpc_id": "vpc-0a1b2c3d"});
        assert_eq!(err(CloudType::Aws, both).0, "iam_role_arn");
        let bad_vpc = json!({"region": "us-east-1", "iam_role_arn": "arn:aws:iam::123456789012:role/a", "vpc_id": "vpc-XYZ"});
        assert_eq!(err(CloudType::Aws, bad_vpc).0, "vpc_id");
        let bad_zone = json!({"region": "us-east-1", "iam_role_arn": "arn:aws:iam::123456789012:role/a", "vpc_id": "vpc-0a1b2c3d", "availability_zones": "eu-west-1a"});
        assert_eq!(err(CloudType::Aws, bad_zone).0, "availability_zones");
        let extra = json!({"region": "us-east-1", "iam_role_arn": "arn:aws:iam::123456789012:role/a", "vpc_id": "vpc-0a1b2c3d", "colour": "red"});
        assert!(err(CloudType::Aws, extra).1.contains("colour"));
    }

    #[test]
    fn a_kept_secret_stands_in_for_an_empty_one() {
        let kept: Secrets = [("client_secret".to_string(), "s3cret".to_string())].into();
        let cfg = json!({"subscription_id": "6f1c1c3e-8e1a-4a77-9d3c-3c3f6b2a8e10", "resource_group": "rg-net",
            "virtual_network": "vnet-1", "client_id": "0b0b0b0b-1111-4222-8333-444455556666",
            "azure_tenant_id": "0c0c0c0c-1111-4222-8333-444455556666", "client_secret": ""});
        let c = check(CloudType::Azure, &cfg, &kept).expect("kept secret");
        assert_eq!(
            c.secrets.get("client_secret").map(String::as_str),
            Some("s3cret")
        );
        assert_eq!(err(CloudType::Azure, cfg).0, "client_secret");
    }

    #[test]
    fn linux_hosts_are_addresses_without_duplicates() {
        let key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n";
        let ok = json!({"hosts": host_lines("10.0.0.11 ubuntu\n10.0.0.12\n", "root"), "ssh_private_key": key});
        let c = check(CloudType::LinuxServer, &ok, &Secrets::new()).expect("valid");
        assert_eq!(c.public["hosts"][1]["ssh_user"], "root");
        let dup =
            json!({"hosts": host_lines("10.0.0.11\n10.0.0.11", "root"), "ssh_private_key": key});
        assert!(err(CloudType::LinuxServer, dup).1.contains("listed twice"));
        let bad = json!({"hosts": host_lines("10.0.0.300", "root"), "ssh_private_key": key});
        assert!(err(CloudType::LinuxServer, bad)
            .1
            .contains("not an IP address"));
        let nokey = json!({"hosts": host_lines("10.0.0.1", "root"), "ssh_private_key": "hello"});
        assert_eq!(err(CloudType::LinuxServer, nokey).0, "ssh_private_key");
        assert_eq!(err(CloudType::LinuxServer, json!({"hosts": []})).0, "hosts");
    }

    #[test]
    fn no_orchestrator_takes_no_settings() {
        assert!(check(CloudType::NoOrchestrator, &Value::Null, &Secrets::new()).is_ok());
        assert!(check(CloudType::NoOrchestrator, &json!({}), &Secrets::new()).is_ok());
        assert!(err(CloudType::NoOrchestrator, json!({"region": "x"}))
            .1
            .contains("region"));
    }
}
