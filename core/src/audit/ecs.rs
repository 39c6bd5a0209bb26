//! [`AuditEvent::to_ecs_json`]: one event as one line of JSON in Elastic Common Schema
//! (ECS 8.x). The mapping, and the equivalent OCSF fields, are documented in docs/audit.md.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Map, Value};

use super::event::{AuditEvent, Outcome, Severity};

/// The ECS version the records follow.
pub const ECS_VERSION: &str = "8.11.0";

/// `t` as RFC 3339 in UTC with milliseconds: `2026-12-03T01:02:03.456Z`.
pub(crate) fn rfc3339(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs();
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        d.subsec_millis()
    )
}

/// ECS `event.category` of an action.
fn category(action: &str) -> Value {
    if action.starts_with("abuse.") {
        json!(["intrusion_detection", "authentication"])
    } else if matches!(
        action,
        "apikey.create" | "apikey.revoke" | "apikey.rotate" | "session.revoke"
    ) {
        json!(["iam"])
    } else {
        json!(["authentication"])
    }
}

/// ECS `log.level` of a severity.
fn log_level(s: Severity) -> &'static str {
    match s {
        Severity::Info => "info",
        Severity::Low => "notice",
        Severity::Medium => "warning",
        Severity::High => "error",
        Severity::Critical => "critical",
    }
}

fn put(map: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(v) = value {
        map.insert(key.to_owned(), v);
    }
}

impl AuditEvent {
    /// The timestamp as RFC 3339 in UTC with milliseconds (`2026-12-03T01:02:03.456Z`).
    pub fn timestamp_rfc3339(&self) -> String {
        rfc3339(self.timestamp)
    }

    /// The event as one line of JSON (no newline) in Elastic Common Schema: `@timestamp`,
    /// `event.{id,action,outcome,kind,category,type,severity,reason,dataset,provider}`,
    /// `error.code`, `log.level`, `source.ip`, `http.request.{id,method}`, `url.path`,
    /// `user.id`, and `tokenward.{credential.kind,credential.id,severity,count}`. Absent values
    /// are left out. No token material: the event holds none.
    pub fn to_ecs_json(&self) -> String {
        let is_alert = self.action.starts_with("abuse.");
        let mut event = Map::new();
        event.insert("id".into(), json!(self.event_id.to_string()));
        event.insert("action".into(), json!(self.action));
        event.insert("outcome".into(), json!(self.outcome.as_str()));
        event.insert(
            "kind".into(),
            json!(if is_alert { "alert" } else { "event" }),
        );
        event.insert("category".into(), category(self.action));
        let kind = match (is_alert, self.outcome) {
            (true, _) => "indicator",
            (false, Outcome::Success) => "allowed",
            (false, Outcome::Failure) => "denied",
        };
        event.insert("type".into(), json!([kind]));
        event.insert("severity".into(), json!(self.severity.number()));
        put(&mut event, "reason", self.code.map(|c| json!(c.as_str())));
        event.insert("dataset".into(), json!("tokenward.audit"));
        event.insert("provider".into(), json!("tokenward"));

        let mut root = Map::new();
        root.insert("@timestamp".into(), json!(rfc3339(self.timestamp)));
        root.insert("ecs".into(), json!({ "version": ECS_VERSION }));
        root.insert("event".into(), Value::Object(event));
        root.insert("log".into(), json!({ "level": log_level(self.severity) }));
        if let Some(code) = self.code {
            root.insert("error".into(), json!({ "code": code.as_str() }));
        }
        if let Some(ip) = self.client_ip {
            root.insert("source".into(), json!({ "ip": ip.to_string() }));
        }
        let mut request = Map::new();
        put(
            &mut request,
            "id",
            self.request_id.as_ref().map(|v| json!(v)),
        );
        put(
            &mut request,
            "method",
            self.method.as_ref().map(|v| json!(v)),
        );
        if !request.is_empty() {
            root.insert("http".into(), json!({ "request": request }));
        }
        if let Some(path) = &self.path {
            root.insert("url".into(), json!({ "path": path }));
        }
        if let Some(subject) = &self.subject {
            root.insert("user".into(), json!({ "id": subject }));
        }
        let mut credential = Map::new();
        put(
            &mut credential,
            "kind",
            self.credential_kind.map(|v| json!(v)),
        );
        put(
            &mut credential,
            "id",
            self.credential_id.as_ref().map(|v| json!(v)),
        );
        let mut ours = Map::new();
        ours.insert("severity".into(), json!(self.severity.as_str()));
        if !credential.is_empty() {
            ours.insert("credential".into(), Value::Object(credential));
        }
        put(&mut ours, "count", self.count.map(|c| json!(c)));
        root.insert("tokenward".into(), Value::Object(ours));
        Value::Object(root).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;
    use std::time::Duration;

    #[test]
    fn rfc3339_renders_utc_with_milliseconds() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        let t = UNIX_EPOCH + Duration::from_millis(1_700_000_000_123);
        assert_eq!(rfc3339(t), "2023-11-14T22:13:20.123Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(rfc3339(leap), "2000-02-29T00:00:00.000Z");
    }

    #[test]
    fn an_event_maps_onto_ecs_fields() {
        let mut e = AuditEvent::new("gateway.authenticate", Outcome::Failure)
            .code(ErrorCode::UnknownKey)
            .subject("acct_1")
            .credential("k_1")
            .client_ip("198.51.100.7".parse().ok())
            .request("GET", "/v1/things?api_key=tw_secret");
        e.request_id = Some("req-1".into());
        e.credential_kind = Some("api_key");
        e.timestamp = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let line = e.to_ecs_json();
        assert!(!line.contains('\n'));
        assert!(!line.contains("tw_secret"), "{line}");
        let v: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["@timestamp"], "2023-11-14T22:13:20.000Z");
        assert_eq!(v["event"]["action"], "gateway.authenticate");
        assert_eq!(v["event"]["outcome"], "failure");
        assert_eq!(v["event"]["reason"], "unknown_key");
        assert_eq!(v["event"]["severity"], 2);
        assert_eq!(v["event"]["id"], e.event_id.to_string());
        assert_eq!(v["error"]["code"], "unknown_key");
        assert_eq!(v["source"]["ip"], "198.51.100.7");
        assert_eq!(v["http"]["request"]["id"], "req-1");
        assert_eq!(v["http"]["request"]["method"], "GET");
        assert_eq!(v["url"]["path"], "/v1/things");
        assert_eq!(v["user"]["id"], "acct_1");
        assert_eq!(v["tokenward"]["credential"]["kind"], "api_key");
        assert_eq!(v["tokenward"]["credential"]["id"], "k_1");
    }

    #[test]
    fn event_ids_are_unique_and_uuid_shaped() {
        let a = AuditEvent::success("x").event_id.to_string();
        let b = AuditEvent::success("x").event_id.to_string();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(a.matches('-').count(), 4);
    }
}
