//! The conventions of Data API `get.*` methods (reference A.5.1): `limit` (default 1000, at
//! most 10 000), `offset` (at most 100 000), `fields` (default: every field the simulator
//! knows for the method), `sort` (`[{"field", "order": "asc"|"desc"}]`) and `filter` (a
//! `{field, operator, value}` condition or a `{filters, condition: "and"|"or"}` tree,
//! nestable), with `metadata.total_items` the number of rows that pass the filter.
//!
//! Operators: `=`, `!=`, `<`, `>`, `<=`, `>=`, `like`, `ilike`, `not_like`, `not_ilike`
//! (`%` any run, `_` one character), `in`, `not_in`, `overlap`, `not_overlap` (arrays),
//! `is_null`, `is_not_null`. `regexp` and `jsquery` are not simulated and are refused as
//! `filter_prohibited`. A name in `fields`, `sort` or `filter` the method does not have is
//! `unexpected_parameters`, as the Data API conventions say.

use std::cmp::Ordering;

use serde_json::{Map, Value, json};

use crate::api::{
    uis_jsonrpc::{RpcError, Success},
    uis_params::Params,
};

/// The documented default and maximum `limit`, and the maximum `offset`.
pub const DEFAULT_LIMIT: u64 = 1000;
/// The largest `limit`.
pub const MAX_LIMIT: u64 = 10_000;
/// The largest `offset`.
pub const MAX_OFFSET: u64 = 100_000;

/// The parameters every `get.*` list accepts.
pub const LIST_PARAMS: &[&str] = &[
    "access_token",
    "user_id",
    "limit",
    "offset",
    "filter",
    "fields",
    "sort",
];

/// A parsed `filter`.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// `{field, operator, value}`.
    Condition {
        /// Field name.
        field: String,
        /// One of the operators above.
        operator: String,
        /// The operand.
        value: Value,
    },
    /// `{filters, condition}`.
    Tree {
        /// The parts.
        filters: Vec<Filter>,
        /// `true` for `and`, `false` for `or`.
        all: bool,
    },
}

const OPERATORS: &[&str] = &[
    "=",
    "!=",
    "<",
    ">",
    "<=",
    ">=",
    "like",
    "ilike",
    "not_like",
    "not_ilike",
    "in",
    "not_in",
    "overlap",
    "not_overlap",
    "is_null",
    "is_not_null",
];

/// What a `get.*` request asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct ListRequest {
    /// `limit`.
    pub limit: u64,
    /// `offset`.
    pub offset: u64,
    /// `fields`; `None` for all.
    pub fields: Option<Vec<String>>,
    /// `filter`.
    pub filter: Option<Filter>,
    /// `sort`: field and descending.
    pub sort: Vec<(String, bool)>,
}

/// Reads `limit`, `offset`, `fields`, `filter` and `sort`, checking names against `known`.
pub fn parse(p: Params<'_>, known: &[&str], app_id: u64) -> Result<ListRequest, RpcError> {
    if let Some(user) = p.u64("user_id")?
        && user != app_id
    {
        return Err(p.invalid("user_id"));
    }
    let limit = p.u64("limit")?.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(p.invalid("limit"));
    }
    let offset = p.u64("offset")?.unwrap_or(0);
    if offset > MAX_OFFSET {
        return Err(p.invalid("offset"));
    }
    let fields = match p.array("fields")? {
        None => None,
        Some(items) => {
            let mut fields = Vec::new();
            for item in items {
                match item {
                    Value::String(name) if known.contains(&name.as_str()) => {
                        fields.push(name.clone());
                    }
                    // "Unexpected method parameter(s)": the docs' error for a field to show,
                    // sort or filter by that the method does not have.
                    Value::String(_) => {
                        return Err(RpcError::unexpected("fields").at("fields", item));
                    }
                    other => return Err(RpcError::data_type("fields", other)),
                }
            }
            Some(fields)
        }
    };
    let filter = p
        .value("filter")
        .map(|value| parse_filter(value, known))
        .transpose()?;
    let mut sort = Vec::new();
    for item in p.array("sort")?.map_or(&[][..], Vec::as_slice) {
        let Value::Object(rule) = item else {
            return Err(RpcError::data_type("sort", item));
        };
        let rule = Params::new(rule);
        let field = rule.req_str("field")?;
        if !known.contains(&field) {
            return Err(RpcError::unexpected("sort.field").at("sort.field", &json!(field)));
        }
        let order = rule.choice("order", &["asc", "desc"])?.unwrap_or("asc");
        sort.push((field.to_owned(), order == "desc"));
    }
    Ok(ListRequest {
        limit,
        offset,
        fields,
        filter,
        sort,
    })
}

fn parse_filter(value: &Value, known: &[&str]) -> Result<Filter, RpcError> {
    let Value::Object(object) = value else {
        return Err(RpcError::data_type("filter", value));
    };
    let p = Params::new(object);
    if let Some(parts) = p.array("filters")? {
        let all = p.choice("condition", &["and", "or"])?.unwrap_or("and") == "and";
        let filters = parts
            .iter()
            .map(|part| parse_filter(part, known))
            .collect::<Result<_, _>>()?;
        return Ok(Filter::Tree { filters, all });
    }
    let field = p.req_str("field")?;
    if !known.contains(&field) {
        return Err(RpcError::unexpected("filter.field").at("filter.field", &json!(field)));
    }
    let operator = p.req_str("operator")?;
    if matches!(operator, "regexp" | "jsquery") {
        return Err(RpcError::new(
            -32602,
            "filter_prohibited",
            "The simulator does not support this filter operator",
        )
        .at("filter.operator", &json!(operator)));
    }
    if !OPERATORS.contains(&operator) {
        return Err(RpcError::invalid_value("filter.operator", &json!(operator)));
    }
    let value = object.get("value").cloned().unwrap_or(Value::Null);
    if matches!(operator, "in" | "not_in" | "overlap" | "not_overlap") && !value.is_array() {
        return Err(RpcError::data_type("filter.value", &value));
    }
    Ok(Filter::Condition {
        field: field.to_owned(),
        operator: operator.to_owned(),
        value,
    })
}

/// Compares two JSON scalars: numbers as numbers, numeric strings with numbers, text as text.
fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    let number = |v: &Value| match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.parse::<f64>().ok(),
        _ => None,
    };
    match (a, b) {
        (Value::Null, _) | (_, Value::Null) => None,
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        _ => number(a)?.partial_cmp(&number(b)?),
    }
}

/// SQL `LIKE` with `%` and `_`.
fn like(text: &str, pattern: &str) -> bool {
    fn go(t: &[char], p: &[char]) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some(('%', rest)) => (0..=t.len()).any(|i| go(&t[i..], rest)),
            Some(('_', rest)) => !t.is_empty() && go(&t[1..], rest),
            Some((c, rest)) => t.first() == Some(c) && go(&t[1..], rest),
        }
    }
    let t: Vec<char> = text.chars().collect();
    let p: Vec<char> = pattern.chars().collect();
    go(&t, &p)
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl Filter {
    /// Whether a row passes.
    pub fn matches(&self, row: &Map<String, Value>) -> bool {
        match self {
            Self::Tree { filters, all: true } => filters.iter().all(|f| f.matches(row)),
            Self::Tree {
                filters,
                all: false,
            } => filters.iter().any(|f| f.matches(row)),
            Self::Condition {
                field,
                operator,
                value,
            } => {
                let actual = row.get(field).unwrap_or(&Value::Null);
                let list = || value.as_array().map_or(&[][..], Vec::as_slice);
                let items = || actual.as_array().map_or(&[][..], Vec::as_slice);
                let ordering = compare(actual, value);
                match operator.as_str() {
                    "=" => ordering == Some(Ordering::Equal),
                    "!=" => !actual.is_null() && ordering != Some(Ordering::Equal),
                    "<" => ordering == Some(Ordering::Less),
                    ">" => ordering == Some(Ordering::Greater),
                    "<=" => matches!(ordering, Some(Ordering::Less | Ordering::Equal)),
                    ">=" => matches!(ordering, Some(Ordering::Greater | Ordering::Equal)),
                    "like" => !actual.is_null() && like(&text(actual), &text(value)),
                    "not_like" => !actual.is_null() && !like(&text(actual), &text(value)),
                    "ilike" | "not_ilike" => {
                        let hit = like(&text(actual).to_lowercase(), &text(value).to_lowercase());
                        !actual.is_null() && (hit == (operator == "ilike"))
                    }
                    "in" => list()
                        .iter()
                        .any(|v| compare(actual, v) == Some(Ordering::Equal)),
                    "not_in" => !list()
                        .iter()
                        .any(|v| compare(actual, v) == Some(Ordering::Equal)),
                    "overlap" | "not_overlap" => {
                        let hit = items().iter().any(|a| list().contains(a));
                        hit == (operator == "overlap")
                    }
                    "is_null" => actual.is_null(),
                    "is_not_null" => !actual.is_null(),
                    _ => false,
                }
            }
        }
    }
}

/// Filters, sorts, pages and projects `rows`; returns the page and `total_items`.
pub fn apply(rows: Vec<Map<String, Value>>, request: &ListRequest) -> (Vec<Value>, u64) {
    let mut rows: Vec<Map<String, Value>> = match &request.filter {
        Some(filter) => rows.into_iter().filter(|r| filter.matches(r)).collect(),
        None => rows,
    };
    if !request.sort.is_empty() {
        rows.sort_by(|a, b| {
            for (field, desc) in &request.sort {
                let x = a.get(field).unwrap_or(&Value::Null);
                let y = b.get(field).unwrap_or(&Value::Null);
                let order = compare(x, y).unwrap_or_else(|| x.is_null().cmp(&y.is_null()));
                let order = if *desc { order.reverse() } else { order };
                if order != Ordering::Equal {
                    return order;
                }
            }
            Ordering::Equal
        });
    }
    let total = rows.len() as u64;
    let page = rows
        .into_iter()
        .skip(usize::try_from(request.offset).unwrap_or(usize::MAX))
        .take(usize::try_from(request.limit).unwrap_or(usize::MAX))
        .map(|mut row| match &request.fields {
            None => Value::Object(row),
            Some(fields) => Value::Object(
                fields
                    .iter()
                    .map(|f| (f.clone(), row.remove(f).unwrap_or(Value::Null)))
                    .collect(),
            ),
        })
        .collect();
    (page, total)
}

/// A JSON object's map (rows are built with `json!`); anything else is an empty row.
pub fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// Answers a `get.*` method over `rows`, whose columns are `fields`: the list conventions
/// checked and applied, the page and `total_items` returned.
pub fn list(
    app_id: u64,
    p: Params<'_>,
    fields: &[&str],
    rows: Vec<Map<String, Value>>,
) -> Result<Success, RpcError> {
    p.allow(LIST_PARAMS)?;
    page(app_id, p, fields, rows)
}

/// [`list`] for a method with parameters of its own besides the list conventions (checked
/// and read by the caller), e.g. `is_deleted` of `get.statuses`.
pub fn list_with(
    app_id: u64,
    p: Params<'_>,
    own: &[&str],
    fields: &[&str],
    rows: Vec<Map<String, Value>>,
) -> Result<Success, RpcError> {
    let allowed: Vec<&str> = LIST_PARAMS.iter().chain(own).copied().collect();
    p.allow(&allowed)?;
    page(app_id, p, fields, rows)
}

fn page(
    app_id: u64,
    p: Params<'_>,
    fields: &[&str],
    rows: Vec<Map<String, Value>>,
) -> Result<Success, RpcError> {
    let request = parse(p, fields, app_id)?;
    let (page, total) = apply(rows, &request);
    Ok(Success {
        data: Value::Array(page),
        total_items: Some(total),
        call_id: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> Vec<Map<String, Value>> {
        (1..=5)
            .map(|i| {
                let row = json!({"id": i, "name": format!("row {i}"), "tags": [i % 2],
                                 "ext": if i == 3 { Value::Null } else { json!("crm-1") }});
                row.as_object().cloned().unwrap_or_default()
            })
            .collect()
    }

    fn request(params: Value) -> Result<ListRequest, RpcError> {
        let map = params.as_object().cloned().unwrap_or_default();
        parse(Params::new(&map), &["id", "name", "tags", "ext"], 1)
    }

    #[test]
    fn paging_sorting_and_fields() {
        let req = request(json!({"limit": 2, "offset": 1, "fields": ["id"],
                                 "sort": [{"field": "id", "order": "desc"}]}))
        .unwrap();
        let (page, total) = apply(rows(), &req);
        assert_eq!(total, 5);
        assert_eq!(page, vec![json!({"id": 4}), json!({"id": 3})]);
        assert!(request(json!({"limit": 0})).is_err());
        assert!(request(json!({"limit": 10_001})).is_err());
        assert!(request(json!({"offset": 100_001})).is_err());
        for unknown in [
            json!({"fields": ["nope"]}),
            json!({"sort": [{"field": "nope"}]}),
            json!({"filter": {"field": "nope", "operator": "=", "value": 1}}),
        ] {
            let err = request(unknown.clone()).unwrap_err();
            assert_eq!(
                (err.code, err.mnemonic),
                (-32602, "unexpected_parameters"),
                "{unknown}"
            );
        }
        assert_eq!(
            request(json!({"user_id": 2})).unwrap_err().field(),
            Some("user_id")
        );
    }

    #[test]
    fn filters_and_trees() {
        let count = |filter: Value| {
            let req = request(json!({"filter": filter})).unwrap();
            apply(rows(), &req).1
        };
        assert_eq!(
            count(json!({"field": "id", "operator": ">=", "value": 4})),
            2
        );
        assert_eq!(
            count(json!({"field": "name", "operator": "like", "value": "row _"})),
            5
        );
        assert_eq!(
            count(json!({"field": "name", "operator": "ilike", "value": "ROW 1%"})),
            1
        );
        assert_eq!(
            count(json!({"field": "ext", "operator": "is_null", "value": null})),
            1
        );
        assert_eq!(
            count(json!({"field": "id", "operator": "in", "value": [1, "2"]})),
            2
        );
        assert_eq!(
            count(json!({"field": "tags", "operator": "overlap", "value": [0]})),
            2
        );
        assert_eq!(
            count(
                json!({"filters": [{"field": "id", "operator": "<", "value": 3},
                                     {"field": "id", "operator": "=", "value": 5}],
                         "condition": "or"})
            ),
            3
        );
        let err = request(json!({"filter": {"field": "id", "operator": "regexp", "value": "."}}))
            .unwrap_err();
        assert_eq!(err.mnemonic, "filter_prohibited");
        assert!(request(json!({"filter": {"field": "id", "operator": "~", "value": 1}})).is_err());
        assert!(!like("abc", "a_"));
        assert!(like("", "%"));
    }
}
