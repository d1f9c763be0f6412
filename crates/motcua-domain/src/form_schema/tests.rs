use super::*;
use crate::procedure::ProcedureDefinition;

fn every_kind() -> Vec<FormField> {
    let base = |key: &str, field_type: FieldType| FormField {
        key: key.into(),
        label: format!("Nhãn {key}"),
        field_type,
        required: false,
        options: vec![],
        minimum: None,
        maximum: None,
        hint: None,
        widget: None,
        autocomplete: None,
    };
    let mut name = base("full_name", FieldType::Text);
    name.required = true;
    name.hint = Some("Viết có dấu, như trên căn cước.".into());
    name.autocomplete = Some("name".into());
    let mut sex = base("sex", FieldType::Choice);
    sex.options = vec!["Nam".into(), "Nữ".into()];
    sex.widget = Some(ChoiceWidget::Radio);
    let mut floors = base("floors", FieldType::Integer);
    floors.minimum = Some(1.0);
    floors.maximum = Some(99.0);
    vec![
        name,
        base("born", FieldType::Date),
        sex,
        base("pid", FieldType::PersonalId),
        base("mst", FieldType::TaxCode),
        base("phone", FieldType::Phone),
        floors,
        base("area_m2", FieldType::Number),
    ]
}

#[test]
fn every_field_kind_survives_the_round_trip_in_order() {
    let fields = every_kind();
    let schema = to_schema(&fields);
    assert_eq!(schema["$schema"], JSON_SCHEMA_DIALECT);
    assert_eq!(schema["required"], json!(["full_name"]));
    assert_eq!(schema["properties"]["born"]["format"], "date");
    assert_eq!(schema["properties"]["sex"]["enum"], json!(["Nam", "Nữ"]));
    assert_eq!(schema["properties"]["pid"]["pattern"], "^[0-9]{12}$");
    assert_eq!(schema["properties"]["floors"]["type"], "integer");
    assert_eq!(schema["properties"]["floors"]["maximum"], 99.0);
    assert_eq!(
        schema["properties"]["full_name"]["description"],
        "Viết có dấu, như trên căn cước."
    );
    assert_eq!(from_schema(&schema).unwrap(), fields);
}

#[test]
fn a_definition_reads_the_old_list_and_writes_the_schema() {
    let old = r#"{"components":[],"result":"x",
        "form_fields":[{"key":"a","label":"A","type":"text","required":true}]}"#;
    let def: ProcedureDefinition = serde_json::from_str(old).unwrap();
    assert_eq!(def.form_fields[0].key, "a");
    let written = serde_json::to_value(&def).unwrap();
    assert!(written.get("form_fields").is_none());
    assert_eq!(written["form"]["type"], "object");
    let again: ProcedureDefinition = serde_json::from_value(written).unwrap();
    assert_eq!(again, def);
}

#[test]
fn without_an_order_the_properties_come_in_key_order() {
    let schema = json!({"type": "object", "properties": {
        "b": {"type": "string", "title": "B"},
        "a": {"type": "number", "title": "A", "minimum": 0}
    }, "required": ["b"]});
    let fields = from_schema(&schema).unwrap();
    assert_eq!(fields[0].key, "a");
    assert_eq!(fields[0].field_type, FieldType::Number);
    assert!(fields[1].required && !fields[0].required);
}

#[test]
fn broken_schemas_are_refused_with_the_reason() {
    let cases = [
        (json!([1]), "JSON object"),
        (json!({"type": "array"}), "\"object\""),
        (
            json!({"type": "object", "properties": {"a": {"type": "string"}}}),
            "title",
        ),
        (
            json!({"type": "object", "properties": {"a": {"type": "boolean", "title": "A"}}}),
            "boolean",
        ),
        (
            json!({"type": "object", "properties": {"a": {"type": "string", "title": "A", "enum": []}}}),
            "no choice",
        ),
        (
            json!({"type": "object", "properties": {"a": {"type": "string", "title": "A"}},
                   "required": ["b"]}),
            "\"b\"",
        ),
        (
            json!({"type": "object", "properties": {"a": {"type": "string", "title": "A"}},
                   "x-motcua-order": ["a", "a"]}),
            "exactly once",
        ),
        (
            json!({"type": "object", "properties": {"A b": {"type": "string", "title": "A"}}}),
            "a-z",
        ),
        (
            json!({"type": "object", "properties": {"a": {"type": "string", "title": "A",
                   "x-motcua-type": "passport"}}}),
            "passport",
        ),
        (
            json!({"type": "object", "properties": {"a": {"type": "string", "title": "A",
                   "enum": ["x"], "x-motcua-widget": "slider"}}}),
            "select or radio",
        ),
    ];
    for (schema, needle) in cases {
        let err = from_schema(&schema).unwrap_err().to_string();
        assert!(err.contains(needle), "{schema}: {err}");
    }
}

#[test]
fn few_choices_are_radio_buttons_unless_the_schema_says_otherwise() {
    let mut f = every_kind().remove(2);
    assert!(f.as_radio());
    f.widget = Some(ChoiceWidget::Select);
    assert!(!f.as_radio());
    f.widget = None;
    f.options = (0..6).map(|i| i.to_string()).collect();
    assert!(!f.as_radio());
}
