//! A procedure's declaration form as data: a JSON Schema (2020-12 subset) with display hints
//! under `x-motcua-*` keys, as the catalog publishes it. Any JSON Schema tool can check a filled
//! form against it; motcua itself reads it into [`FormField`]s, renders them on the server and
//! judges them with [`crate::form::validate`], so the messages are Vietnamese and field by field.
//!
//! Mapping (one field kind ↔ one schema shape):
//! `text` = string with `maxLength`; `date` = string, `format: date`; `choice` = string `enum`;
//! `personal_id`, `tax_code`, `phone` = string with a `pattern` and `x-motcua-type`;
//! `integer` / `number` = the JSON types with `minimum` / `maximum`. `title` is the label,
//! `description` the hint under it, `x-motcua-widget` (`select` | `radio`) how a choice is drawn,
//! `x-motcua-autocomplete` the browser's autofill token, `x-motcua-order` the order on the page.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value, json};
use thiserror::Error;

use crate::form::MAX_TEXT_CHARS;
use crate::procedure::{ChoiceWidget, FieldType, FormField};

/// The dialect the catalog's forms are written in.
pub const JSON_SCHEMA_DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// Why a form schema cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SchemaError {
    #[error("form schema: {0}")]
    Invalid(String),
}

fn invalid(msg: impl Into<String>) -> SchemaError {
    SchemaError::Invalid(msg.into())
}

/// The JSON Schema of a form.
pub fn to_schema(fields: &[FormField]) -> Value {
    let mut properties = Map::new();
    for f in fields {
        properties.insert(f.key.clone(), property(f));
    }
    let required: Vec<&str> = fields
        .iter()
        .filter(|f| f.required)
        .map(|f| f.key.as_str())
        .collect();
    let order: Vec<&str> = fields.iter().map(|f| f.key.as_str()).collect();
    json!({
        "$schema": JSON_SCHEMA_DIALECT,
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
        "x-motcua-order": order,
    })
}

fn property(f: &FormField) -> Value {
    let mut p = Map::new();
    p.insert("title".into(), json!(f.label));
    if let Some(hint) = &f.hint {
        p.insert("description".into(), json!(hint));
    }
    let kind = |p: &mut Map<String, Value>, name: &str, pattern: Option<&str>| {
        p.insert("type".into(), json!("string"));
        if let Some(pattern) = pattern {
            p.insert("pattern".into(), json!(pattern));
        }
        p.insert("x-motcua-type".into(), json!(name));
    };
    match f.field_type {
        FieldType::Text => {
            p.insert("type".into(), json!("string"));
            p.insert("maxLength".into(), json!(MAX_TEXT_CHARS));
        }
        FieldType::Date => {
            p.insert("type".into(), json!("string"));
            p.insert("format".into(), json!("date"));
        }
        FieldType::Choice => {
            p.insert("type".into(), json!("string"));
            p.insert("enum".into(), json!(f.options));
        }
        FieldType::PersonalId => kind(&mut p, "personal_id", Some("^[0-9]{12}$")),
        FieldType::TaxCode => kind(&mut p, "tax_code", Some("^[0-9]{10}(-?[0-9]{3})?$")),
        FieldType::Phone => kind(&mut p, "phone", None),
        FieldType::Integer | FieldType::Number => {
            let t = if f.field_type == FieldType::Integer {
                "integer"
            } else {
                "number"
            };
            p.insert("type".into(), json!(t));
            if let Some(lo) = f.minimum {
                p.insert("minimum".into(), json!(lo));
            }
            if let Some(hi) = f.maximum {
                p.insert("maximum".into(), json!(hi));
            }
        }
    }
    if let Some(w) = f.widget {
        p.insert("x-motcua-widget".into(), json!(w));
    }
    if let Some(a) = &f.autocomplete {
        p.insert("x-motcua-autocomplete".into(), json!(a));
    }
    Value::Object(p)
}

/// Reads a form schema back into fields, in page order.
pub fn from_schema(schema: &Value) -> Result<Vec<FormField>, SchemaError> {
    let obj = schema
        .as_object()
        .ok_or_else(|| invalid("must be a JSON object"))?;
    if obj.get("type").and_then(Value::as_str) != Some("object") {
        return Err(invalid("\"type\" must be \"object\""));
    }
    let empty = Map::new();
    let properties = match obj.get("properties") {
        None => &empty,
        Some(p) => p
            .as_object()
            .ok_or_else(|| invalid("\"properties\" must be an object"))?,
    };
    let required = string_list(obj.get("required"), "required")?;
    let order = match obj.get("x-motcua-order") {
        Some(v) => string_list(Some(v), "x-motcua-order")?,
        None => properties.keys().cloned().collect(),
    };
    if order.len() != properties.len() || order.iter().any(|k| !properties.contains_key(k)) {
        return Err(invalid(
            "\"x-motcua-order\" must name every property exactly once",
        ));
    }
    if let Some(k) = required.iter().find(|k| !properties.contains_key(*k)) {
        return Err(invalid(format!("required \"{k}\" is not a property")));
    }
    let mut fields = Vec::with_capacity(order.len());
    for key in order {
        if fields.iter().any(|f: &FormField| f.key == key) {
            return Err(invalid(format!("\"{key}\" is listed twice")));
        }
        let valid_key = !key.is_empty()
            && key.len() <= 64
            && key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid_key {
            return Err(invalid(format!(
                "property name \"{key}\" must be 1–64 of a-z, 0-9 and _"
            )));
        }
        let p = properties
            .get(&key)
            .and_then(Value::as_object)
            .ok_or_else(|| invalid(format!("\"{key}\" must be an object")))?;
        let mut field = read_property(&key, p)?;
        field.required = required.contains(&key);
        fields.push(field);
    }
    Ok(fields)
}

fn string_list(v: Option<&Value>, name: &str) -> Result<Vec<String>, SchemaError> {
    match v {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| invalid(format!("\"{name}\" must list strings")))
            })
            .collect(),
        Some(_) => Err(invalid(format!("\"{name}\" must be an array"))),
    }
}

fn read_property(key: &str, p: &Map<String, Value>) -> Result<FormField, SchemaError> {
    let text = |name: &str| p.get(name).and_then(Value::as_str).map(str::to_string);
    let number = |name: &str| p.get(name).and_then(Value::as_f64);
    let label = text("title").ok_or_else(|| invalid(format!("\"{key}\" needs a \"title\"")))?;
    let json_type = text("type").unwrap_or_default();
    let field_type = match (
        json_type.as_str(),
        text("x-motcua-type").as_deref(),
        text("format").as_deref(),
        p.contains_key("enum"),
    ) {
        ("string", Some("personal_id"), _, _) => FieldType::PersonalId,
        ("string", Some("tax_code"), _, _) => FieldType::TaxCode,
        ("string", Some("phone"), _, _) => FieldType::Phone,
        ("string", Some(other), _, _) => {
            return Err(invalid(format!(
                "\"{key}\": unknown x-motcua-type \"{other}\""
            )));
        }
        ("string", None, Some("date"), _) => FieldType::Date,
        ("string", None, _, true) => FieldType::Choice,
        ("string", None, _, false) => FieldType::Text,
        ("integer", _, _, _) => FieldType::Integer,
        ("number", _, _, _) => FieldType::Number,
        (other, _, _, _) => {
            return Err(invalid(format!(
                "\"{key}\": type must be string, integer or number, not \"{other}\""
            )));
        }
    };
    let options = if field_type == FieldType::Choice {
        let options = string_list(p.get("enum"), "enum")?;
        if options.is_empty() {
            return Err(invalid(format!("\"{key}\": \"enum\" lists no choice")));
        }
        options
    } else {
        Vec::new()
    };
    let widget = match p.get("x-motcua-widget") {
        None => None,
        Some(w) => Some(
            serde_json::from_value::<ChoiceWidget>(w.clone())
                .map_err(|_| invalid(format!("\"{key}\": x-motcua-widget is select or radio")))?,
        ),
    };
    Ok(FormField {
        key: key.to_string(),
        label,
        field_type,
        required: false,
        options,
        minimum: number("minimum"),
        maximum: number("maximum"),
        hint: text("description"),
        widget,
        autocomplete: text("x-motcua-autocomplete"),
    })
}

/// Serde for `ProcedureDefinition::form_fields`: written as the JSON Schema; read from the schema
/// or from the plain list of fields older stored versions hold.
pub(crate) mod serde_fields {
    use super::*;

    pub fn serialize<S: Serializer>(fields: &[FormField], s: S) -> Result<S::Ok, S::Error> {
        to_schema(fields).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<FormField>, D::Error> {
        let v = Value::deserialize(d)?;
        match v {
            Value::Array(_) => serde_json::from_value(v).map_err(serde::de::Error::custom),
            other => from_schema(&other).map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests;
