//! Helpers shared by the integration tests: an in-process double and a JSON-schema validator
//! over the published OpenAPI document.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::body::Body;
use axum::extract::connect_info::ConnectInfo;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use foundry_double::state::{AppState, Config, ErrorForm, Variant};
use foundry_double::{build_state, root_key, routes};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::net::SocketAddr;
use tower::ServiceExt;

pub struct Double {
    pub state: AppState,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub raw: Vec<u8>,
}

impl Double {
    pub fn new(variant: Variant) -> Self {
        Self::with_config(Config::new(variant))
    }

    pub fn with_config(config: Config) -> Self {
        Self {
            state: build_state(root_key(None).unwrap(), config).unwrap(),
        }
    }

    /// The user uuid of a demo key.
    pub fn user(&self, label: &str) -> String {
        self.state
            .0
            .keys
            .iter()
            .find(|k| k.label == label)
            .unwrap_or_else(|| panic!("no key {label}"))
            .user
            .clone()
    }

    pub fn key(&self, label: &str) -> String {
        self.state
            .0
            .keys
            .iter()
            .find(|k| k.label == label)
            .unwrap_or_else(|| panic!("no key {label}"))
            .token
            .clone()
    }

    /// From a loopback peer; addressed to `127.0.0.1:8787` unless the request names a Host,
    /// as curl and Node send it (the control API refuses a request without a loopback Host).
    pub async fn request(&self, mut request: Request<Body>) -> Reply {
        if !request.headers().contains_key("host") {
            request
                .headers_mut()
                .insert("host", "127.0.0.1:8787".parse().unwrap());
        }
        self.request_from(request, "127.0.0.1:50000").await
    }

    /// Exactly `request` (no Host added) from `peer`.
    pub async fn request_from(&self, mut request: Request<Body>, peer: &str) -> Reply {
        let peer: SocketAddr = peer.parse().unwrap();
        request.extensions_mut().insert(ConnectInfo(peer));
        let response = routes::app(self.state.clone())
            .oneshot(request)
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let raw = response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        let body = serde_json::from_slice(&raw).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            body,
            raw,
        }
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut builder = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            builder = builder.header("authorization", format!("Bearer {token}"));
        }
        let request = match body {
            Some(body) => builder
                .header("content-type", "application/json")
                .body(Body::from(body.to_string())),
            None => builder.body(Body::empty()),
        };
        self.request(request.unwrap()).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.call(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Option<Value>) -> Reply {
        self.call(Method::POST, path, token, body).await
    }

    /// Attenuates `token` (bearer = the same token) and returns the reply.
    pub async fn attenuate(&self, token: &str, spec: Value) -> Reply {
        self.post(
            "/api/v1/tokens/attenuate",
            Some(token),
            Some(json!({"token": token, "name": "child", "attenuation": spec})),
        )
        .await
    }
}

impl Reply {
    /// Asserts the error envelope and that its request id matches the header.
    pub fn assert_error(&self, status: StatusCode) -> &str {
        assert_eq!(self.status, status, "body: {}", self.body);
        let header = self
            .headers
            .get("x-request-id")
            .expect("x-request-id header")
            .to_str()
            .unwrap();
        assert!(header.starts_with("req_"), "{header}");
        assert!(uuid::Uuid::parse_str(&header[4..]).is_ok(), "{header}");
        let object = self.body.as_object().expect("JSON object body");
        assert_eq!(
            object.len(),
            2,
            "exactly error and request_id: {}",
            self.body
        );
        assert_eq!(object["request_id"], header);
        validate_component("ErrorResponse", &self.body);
        object["error"].as_str().unwrap()
    }
}

impl Reply {
    /// The `x-request-id` header, checked to be `req_<uuid>`.
    pub fn request_id(&self) -> String {
        let header = self
            .headers
            .get("x-request-id")
            .expect("x-request-id header")
            .to_str()
            .unwrap()
            .to_owned();
        assert!(header.starts_with("req_"), "{header}");
        assert!(uuid::Uuid::parse_str(&header[4..]).is_ok(), "{header}");
        header
    }

    /// Asserts an error body of exactly `form` (with the header's id where the form has one)
    /// and returns its message.
    pub fn assert_error_form(&self, status: StatusCode, form: ErrorForm) -> String {
        assert_eq!(
            self.status,
            status,
            "raw: {}",
            String::from_utf8_lossy(&self.raw)
        );
        let id = self.request_id();
        let content_type = self
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let (key, with_id) = match form {
            ErrorForm::Text => {
                assert_eq!(content_type, "text/plain; charset=utf-8");
                let text = String::from_utf8(self.raw.clone()).unwrap();
                assert!(!text.is_empty() && !text.starts_with('{'), "{text}");
                return text;
            }
            ErrorForm::Envelope => ("error", true),
            ErrorForm::Error => ("error", false),
            ErrorForm::Message => ("message", true),
            ErrorForm::Detail => ("detail", true),
        };
        assert_eq!(content_type, "application/json", "{form:?}");
        let object = self.body.as_object().expect("JSON object body");
        let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
        keys.sort_unstable();
        let mut expected = vec![key];
        if with_id {
            expected.push("request_id");
            assert_eq!(object["request_id"], id.as_str());
        }
        expected.sort_unstable();
        assert_eq!(keys, expected, "{form:?}: {}", self.body);
        if form == ErrorForm::Envelope {
            validate_component("ErrorResponse", &self.body);
        }
        object[key].as_str().unwrap().to_owned()
    }
}

pub fn openapi() -> Value {
    serde_json::from_str(foundry_double::openapi::PUBLISHED).unwrap()
}

fn validator(schema: &Value) -> jsonschema::Validator {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(schema)
        .unwrap()
}

fn assert_valid(schema: &Value, instance: &Value, what: &str) {
    let validator = validator(schema);
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not match the published schema: {errors:?}\n{instance}"
    );
}

/// Validates against `#/components/schemas/{name}` of the published July document.
pub fn validate_component(name: &str, instance: &Value) {
    let doc = openapi();
    let schema =
        json!({ "$ref": format!("#/components/schemas/{name}"), "components": doc["components"] });
    assert_valid(&schema, instance, name);
}

/// Validates against the inline 200 schema of `list_tokens` (the lineage page).
pub fn validate_lineage_page(instance: &Value) {
    let doc = openapi();
    let schema = doc
        .pointer("/paths/~1api~1v1~1tokens/get/responses/200/content/application~1json/schema")
        .unwrap()
        .clone();
    assert_valid(&schema, instance, "list_tokens 200");
}

/// The seed page, against the schema the seed variant serves for it.
pub fn validate_seed_page(instance: &Value) {
    assert_valid(
        &foundry_double::openapi::seed_list_page(),
        instance,
        "seed list page",
    );
}

/// Validates against `#/components/schemas/{name}` of `doc`, a document a variant served.
pub fn validate_served_component(doc: &Value, name: &str, instance: &Value) {
    let schema =
        json!({ "$ref": format!("#/components/schemas/{name}"), "components": doc["components"] });
    assert_valid(&schema, instance, name);
}

/// Validates a token page against the list schema of `doc`, a document a variant served.
pub fn validate_served_list(doc: &Value, instance: &Value) {
    let schema = doc
        .pointer(foundry_double::openapi::LIST_TOKENS_200)
        .unwrap()
        .clone();
    assert_valid(&schema, instance, "list_tokens 200 as served");
}
