//! Arrays where a body's schema says object. serde reads a struct from a JSON array of its
//! fields in order, so `"monitoring": []` would be taken as a monitoring form with every answer
//! left out: a request the OpenAPI document does not allow, quietly accepted. The body type's own
//! schema (the one the document is built from) says where an object is meant, so the check
//! follows the document exactly and needs nothing written per field.

use serde_json::{Map, Value};
use std::any::TypeId;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};
use utoipa::ToSchema;

/// The path (`monitoring`, `children[1].doctor`) of the first array in `body` where `T`'s
/// schema allows only an object, if any.
pub fn array_for_object<T: ToSchema + 'static>(body: &Value) -> Option<String> {
    let shape = shape_of::<T>();
    find(body, &shape.root, &shape.components, String::new())
}

/// A body type's schema and the named schemas it refers to, as JSON.
struct Shape {
    root: Value,
    components: Map<String, Value>,
}

/// Built once per body type: a schema is the same on every request.
fn shape_of<T: ToSchema + 'static>() -> Arc<Shape> {
    static SHAPES: OnceLock<RwLock<HashMap<TypeId, Arc<Shape>>>> = OnceLock::new();
    let shapes = SHAPES.get_or_init(Default::default);
    let key = TypeId::of::<T>();
    if let Some(shape) = shapes.read().ok().and_then(|s| s.get(&key).cloned()) {
        return shape;
    }
    let mut named = Vec::new();
    T::schemas(&mut named);
    let shape = Arc::new(Shape {
        root: serde_json::to_value(T::schema()).unwrap_or(Value::Null),
        components: named
            .into_iter()
            .filter_map(|(name, s)| Some((name, serde_json::to_value(s).ok()?)))
            .collect(),
    });
    if let Ok(mut s) = shapes.write() {
        s.insert(key, shape.clone());
    }
    shape
}

/// Deep enough for any body here; a guard against a schema that refers to itself.
const MAX_DEPTH: usize = 32;

fn resolve<'a>(mut schema: &'a Value, components: &'a Map<String, Value>) -> &'a Value {
    for _ in 0..MAX_DEPTH {
        let Some(name) = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.rsplit('/').next())
        else {
            break;
        };
        match components.get(name) {
            Some(s) => schema = s,
            None => return &Value::Null,
        }
    }
    schema
}

/// The schema and, through `oneOf`/`anyOf`/`allOf`, every schema it is made of.
fn parts<'a>(schema: &'a Value, components: &'a Map<String, Value>, out: &mut Vec<&'a Value>) {
    if out.len() > MAX_DEPTH {
        return;
    }
    let schema = resolve(schema, components);
    out.push(schema);
    for key in ["oneOf", "anyOf", "allOf"] {
        for branch in schema
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            parts(branch, components, out);
        }
    }
}

/// Whether a JSON array fits `schema` as far as its types go. A schema with no type and no
/// properties (any value) allows one.
fn allows_array(schema: &Value, components: &Map<String, Value>, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return true;
    }
    let schema = resolve(schema, components);
    let branches = |key| schema.get(key).and_then(Value::as_array);
    if let Some(t) = schema.get("type") {
        return t == "array"
            || t.as_array()
                .is_some_and(|ts| ts.iter().any(|t| t == "array"));
    }
    if let Some(all) = branches("allOf") {
        return all.iter().all(|b| allows_array(b, components, depth + 1));
    }
    match branches("oneOf").or_else(|| branches("anyOf")) {
        Some(any) => any.iter().any(|b| allows_array(b, components, depth + 1)),
        None => schema.get("properties").is_none(),
    }
}

fn find(
    value: &Value,
    schema: &Value,
    components: &Map<String, Value>,
    path: String,
) -> Option<String> {
    if path.len() > 1024 {
        return None;
    }
    let mut schemas = Vec::new();
    match value {
        Value::Array(items) => {
            if !allows_array(schema, components, 0) {
                return Some(if path.is_empty() { "body".into() } else { path });
            }
            parts(schema, components, &mut schemas);
            let item_schemas: Vec<&Value> = schemas.iter().filter_map(|s| s.get("items")).collect();
            items.iter().enumerate().find_map(|(i, item)| {
                item_schemas
                    .iter()
                    .find_map(|s| find(item, s, components, format!("{path}[{i}]")))
            })
        }
        Value::Object(fields) => {
            parts(schema, components, &mut schemas);
            fields.iter().find_map(|(name, v)| {
                let at = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}.{name}")
                };
                schemas
                    .iter()
                    .filter_map(|s| {
                        s.get("properties")
                            .and_then(|p| p.get(name))
                            .or_else(|| s.get("additionalProperties").filter(|a| a.is_object()))
                    })
                    .find_map(|s| find(v, s, components, at.clone()))
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;
    use std::collections::BTreeMap;

    #[derive(Deserialize, ToSchema)]
    #[allow(dead_code)]
    struct Carer {
        relationship: Option<String>,
    }

    #[derive(Deserialize, ToSchema)]
    #[allow(dead_code)]
    struct Form {
        carers: Vec<Carer>,
        postcode: Option<String>,
    }

    #[derive(Deserialize, ToSchema)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        monitoring: Option<Form>,
        children: Vec<Carer>,
        by_group: BTreeMap<String, Carer>,
        tags: Option<Vec<String>>,
        anything: serde_json::Value,
    }

    fn at(body: Value) -> Option<String> {
        array_for_object::<Body>(&body)
    }

    #[test]
    fn arrays_where_an_object_is_meant_are_named() {
        assert_eq!(at(json!({"monitoring": []})), Some("monitoring".into()));
        assert_eq!(
            at(json!({"monitoring": [null, null]})),
            Some("monitoring".into())
        );
        assert_eq!(
            at(json!({"monitoring": {"carers": [{}, []]}})),
            Some("monitoring.carers[1]".into())
        );
        assert_eq!(at(json!({"children": [[]]})), Some("children[0]".into()));
        assert_eq!(
            at(json!({"by_group": {"7": []}})),
            Some("by_group.7".into())
        );
        assert_eq!(at(json!([])), Some("body".into()));
    }

    #[test]
    fn arrays_the_schema_allows_pass() {
        assert_eq!(
            at(json!({
                "name": "a",
                "monitoring": {"carers": [{"relationship": "mother"}], "postcode": null},
                "children": [],
                "by_group": {"7": {}},
                "tags": ["x"],
                "anything": [1, [2]],
            })),
            None
        );
        // Wrong types other than arrays are serde's to refuse, with its own message.
        assert_eq!(
            at(json!({"name": 5, "monitoring": null, "tags": null})),
            None
        );
        // A field the schema does not know is refused by `deny_unknown_fields`, not here.
        assert_eq!(at(json!({"extra": []})), None);
    }
}
