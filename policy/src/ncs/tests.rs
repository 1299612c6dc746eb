use super::*;

const SEED: &str = r#"# Example NCS Policy in the Consumer Tenant
kind: NCSPolicy
metadata:
  name: allow-external-api
spec:
  source:
    workspaceLabel: project-a-ide
  destination:
    tenantID: "tenant-xyz-123" # The remote Tenant ID
    serviceName: "global-inventory-api"
  action: allow
"#;

fn lines(issues: &[Issue]) -> Vec<usize> {
    issues.iter().map(|i| i.line).collect()
}

#[test]
fn the_seed_example_parses_with_positions() {
    let p = parse(SEED).expect("the seed's own policy is valid");
    assert_eq!(p.policy.name, "allow-external-api");
    assert_eq!(p.policy.workspace_label, "project-a-ide");
    assert_eq!(p.policy.tenant_id, "tenant-xyz-123");
    assert_eq!(p.policy.service_name, "global-inventory-api");
    assert_eq!(p.policy.action, NetAction::Allow);
    assert_eq!(p.at.name.line, 4);
    assert_eq!(p.at.tenant_id.line, 9);
    assert_eq!(p.at.service_name.line, 10);
}

#[test]
fn printing_then_parsing_gives_the_same_policy() {
    let p = parse(SEED).unwrap().policy;
    assert_eq!(parse(&to_yaml(&p)).unwrap().policy, p);
}

#[test]
fn unknown_fields_are_named_with_their_line() {
    let text = SEED.replace("  action: allow", "  action: allow\n  priority: 5");
    let errs = parse(&text).unwrap_err();
    assert_eq!(lines(&errs), vec![12]);
    assert!(errs[0]
        .message
        .contains("Unknown field `priority` in `spec`"));
}

#[test]
fn a_misspelt_nested_field_is_unknown_and_the_real_one_missing() {
    let text = SEED.replace("workspaceLabel", "workspaceLabels");
    let errs = parse(&text).unwrap_err();
    assert!(errs
        .iter()
        .any(|i| i.line == 7 && i.message.contains("workspaceLabels")));
    // The missing field is reported at the key of the mapping that lacks it.
    assert!(errs.iter().any(|i| i.line == 6
        && i.message
            .contains("`spec.source.workspaceLabel` is missing")));
}

#[test]
fn missing_fields_are_reported() {
    let text = "kind: NCSPolicy\nmetadata:\n  name: x\n";
    let errs = parse(text).unwrap_err();
    assert_eq!(errs.len(), 1);
    assert!(errs[0].message.contains("`spec` is missing"));
}

#[test]
fn a_flattened_paste_gets_an_indentation_hint() {
    // The seed's web page lost its indentation; pasting it as-is must explain why.
    let flat = "kind: NCSPolicy\nmetadata:\nname: allow-external-api\nspec:\naction: allow\n";
    let errs = parse(flat).unwrap_err();
    let name = errs
        .iter()
        .find(|i| i.line == 3)
        .expect("an issue on line 3");
    assert!(
        name.message.contains("Indent it under `metadata`"),
        "{name:?}"
    );
}

#[test]
fn a_bad_name_points_at_its_line() {
    let errs = parse(&SEED.replace("allow-external-api", "Allow_API")).unwrap_err();
    assert_eq!(lines(&errs), vec![4]);
    assert!(errs[0].message.contains("lowercase"));
}

#[test]
fn wrong_kind_and_action_are_both_reported() {
    let text = SEED
        .replace("kind: NCSPolicy", "kind: NetworkPolicy")
        .replace("action: allow", "action: permit");
    let errs = parse(&text).unwrap_err();
    assert_eq!(lines(&errs), vec![2, 11]);
}

#[test]
fn broken_yaml_and_duplicates_name_a_line() {
    let errs = parse("kind: NCSPolicy\nmetadata: [unclosed\n").unwrap_err();
    assert!(errs[0].line >= 2, "{errs:?}");
    let errs = parse("kind: NCSPolicy\nkind: NCSPolicy\n").unwrap_err();
    assert_eq!(lines(&errs), vec![2]);
    assert!(errs[0].message.contains("appears twice"));
}

#[test]
fn empty_values_and_wrong_shapes_are_refused() {
    let errs = parse(&SEED.replace("name: allow-external-api", "name:")).unwrap_err();
    assert!(errs[0].message.contains("has no value"), "{errs:?}");
    let errs = parse(&SEED.replace("  name: allow-external-api", "  name: [a, b]")).unwrap_err();
    assert!(errs[0].message.contains("single text value"));
    assert!(parse("").is_err());
    assert!(parse("- a\n- b\n").is_err());
}

#[test]
fn hostile_input_is_refused_without_a_crash() {
    // Deep nesting within the size limit, and a document over it.
    let deep = format!("kind: {}{}", "[".repeat(30_000), "]".repeat(30_000));
    assert!(parse(&deep).is_err());
    let big = format!("kind: NCSPolicy\n# {}\n", "x".repeat(70 * 1024));
    assert!(parse(&big).unwrap_err()[0].message.contains("64 KiB"));
}

#[test]
fn dns_labels_and_workspace_labels() {
    assert!(check_dns_label("x", "inventory-api").is_ok());
    for bad in ["", "-a", "a-", "A", "a_b", "1a", &"a".repeat(64)] {
        assert!(check_dns_label("x", bad).is_err(), "{bad}");
    }
    assert!(check_label("project-a.ide_2").is_ok());
    for bad in ["", "-a", "a-", "A", "a b"] {
        assert!(check_label(bad).is_err(), "{bad}");
    }
}

fn pol(name: &str, action: NetAction) -> NcsPolicy {
    NcsPolicy {
        name: name.into(),
        workspace_label: "ide".into(),
        tenant_id: "t1".into(),
        service_name: "api".into(),
        action,
    }
}

fn q() -> Question {
    Question {
        workspace_label: "ide".into(),
        tenant_id: "t1".into(),
        service_name: "api".into(),
    }
}

#[test]
fn the_connection_is_checked_before_any_policy() {
    let allow = [pol("a", NetAction::Allow)];
    assert_eq!(
        evaluate(&q(), Link::None, true, &allow).reason,
        Reason::NoConnection
    );
    assert_eq!(
        evaluate(&q(), Link::Revoked, true, &allow).reason,
        Reason::ConnectionRevoked
    );
    assert_eq!(
        evaluate(&q(), Link::Active, false, &allow).reason,
        Reason::UnknownService
    );
}

#[test]
fn default_deny_then_allow_then_deny_wins() {
    let v = evaluate(&q(), Link::Active, true, &[]);
    assert!(!v.allowed);
    assert_eq!(v.reason, Reason::NoPolicy);
    let mut other = pol("other", NetAction::Allow);
    other.workspace_label = "web".into();
    assert_eq!(
        evaluate(&q(), Link::Active, true, std::slice::from_ref(&other)).reason,
        Reason::NoPolicy
    );
    let policies = vec![
        other,
        pol("z-allow", NetAction::Allow),
        pol("b-allow", NetAction::Allow),
    ];
    let v = evaluate(&q(), Link::Active, true, &policies);
    assert!(v.allowed);
    assert_eq!(v.reason, Reason::AllowedBy("b-allow".into()));
    let mut with_deny = policies.clone();
    with_deny.push(pol("block", NetAction::Deny));
    let v = evaluate(&q(), Link::Active, true, &with_deny);
    assert!(!v.allowed);
    assert_eq!(v.reason, Reason::DeniedBy("block".into()));
    assert!(v.explain(&q(), "globex").contains("`block`"));
}
