//! Reading a UIS method's `params` the way UIS checks them: a parameter that is absent (or
//! `null`) when required is `required_parameter_missed`, one of the wrong JSON type is
//! `data_type_error`, one with an impossible value is `invalid_parameter_value`, one the
//! method does not know is `unexpected_parameters`; each names the offending parameter in
//! `data.field` (a dotted path inside objects, e.g. `employee.id`) and its value in
//! `data.value`.

use serde_json::{Map, Value};

use crate::api::uis_jsonrpc::RpcError;

/// A method's parameters (or an object inside them), with the path that leads to them.
#[derive(Debug, Clone, Copy)]
pub struct Params<'a> {
    map: &'a Map<String, Value>,
    prefix: &'a str,
}

impl<'a> Params<'a> {
    /// The top-level `params`.
    pub fn new(map: &'a Map<String, Value>) -> Self {
        Self { map, prefix: "" }
    }

    fn path(&self, name: &str) -> String {
        if self.prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{}.{name}", self.prefix)
        }
    }

    /// Refuses any parameter not in `allowed`.
    pub fn allow(&self, allowed: &[&str]) -> Result<(), RpcError> {
        match self.map.keys().find(|k| !allowed.contains(&k.as_str())) {
            Some(name) => Err(RpcError::unexpected(&self.path(name))),
            None => Ok(()),
        }
    }

    /// The raw value; `null` counts as absent.
    pub fn value(&self, name: &str) -> Option<&'a Value> {
        self.map.get(name).filter(|v| !v.is_null())
    }

    fn required<T>(&self, name: &str, value: Option<T>) -> Result<T, RpcError> {
        value.ok_or_else(|| RpcError::missing(&self.path(name)))
    }

    fn wrong_type(&self, name: &str, value: &Value) -> RpcError {
        RpcError::data_type(&self.path(name), value)
    }

    /// An optional string.
    pub fn str(&self, name: &str) -> Result<Option<&'a str>, RpcError> {
        match self.value(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(other) => Err(self.wrong_type(name, other)),
        }
    }

    /// A required string.
    pub fn req_str(&self, name: &str) -> Result<&'a str, RpcError> {
        let value = self.str(name)?;
        self.required(name, value)
    }

    /// An optional boolean.
    pub fn bool(&self, name: &str) -> Result<Option<bool>, RpcError> {
        match self.value(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(self.wrong_type(name, other)),
        }
    }

    /// An optional non-negative integer.
    pub fn u64(&self, name: &str) -> Result<Option<u64>, RpcError> {
        match self.value(name) {
            None => Ok(None),
            Some(Value::Number(n)) => match n.as_u64() {
                Some(n) => Ok(Some(n)),
                None if n.is_i64() => Err(RpcError::invalid_value(
                    &self.path(name),
                    &Value::Number(n.clone()),
                )),
                None => Err(self.wrong_type(name, &Value::Number(n.clone()))),
            },
            Some(other) => Err(self.wrong_type(name, other)),
        }
    }

    /// A required non-negative integer.
    pub fn req_u64(&self, name: &str) -> Result<u64, RpcError> {
        let value = self.u64(name)?;
        self.required(name, value)
    }

    /// An optional string that must be one of `allowed`.
    pub fn choice(&self, name: &str, allowed: &[&str]) -> Result<Option<&'a str>, RpcError> {
        match self.str(name)? {
            Some(s) if !allowed.contains(&s) => Err(RpcError::invalid_value(
                &self.path(name),
                &Value::String(s.to_owned()),
            )),
            other => Ok(other),
        }
    }

    /// A required string that must be one of `allowed`.
    pub fn req_choice(&self, name: &str, allowed: &[&str]) -> Result<&'a str, RpcError> {
        let value = self.choice(name, allowed)?;
        self.required(name, value)
    }

    /// An optional array.
    pub fn array(&self, name: &str) -> Result<Option<&'a Vec<Value>>, RpcError> {
        match self.value(name) {
            None => Ok(None),
            Some(Value::Array(items)) => Ok(Some(items)),
            Some(other) => Err(self.wrong_type(name, other)),
        }
    }

    /// An optional object, read with the same rules (paths get `name.` in front).
    pub fn object(&self, name: &'a str) -> Result<Option<Params<'a>>, RpcError> {
        match self.value(name) {
            None => Ok(None),
            // The simulated methods nest objects one level deep only, so the object's own
            // name is its whole path.
            Some(Value::Object(map)) => Ok(Some(Params { map, prefix: name })),
            Some(other) => Err(self.wrong_type(name, other)),
        }
    }

    /// A required object.
    pub fn req_object(&self, name: &'a str) -> Result<Params<'a>, RpcError> {
        let value = self.object(name)?;
        self.required(name, value)
    }

    /// An error about the parameter `name` having an impossible value.
    pub fn invalid(&self, name: &str) -> RpcError {
        let value = self.map.get(name).cloned().unwrap_or(Value::Null);
        RpcError::invalid_value(&self.path(name), &value)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn map(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => unreachable!("test values are objects"),
        }
    }

    #[test]
    fn each_failure_has_its_mnemonic_and_field() {
        let m = map(json!({"a": "x", "n": 5, "neg": -1, "b": true, "o": {"id": "7"}, "z": null}));
        let p = Params::new(&m);
        assert_eq!(p.req_str("a").unwrap(), "x");
        assert_eq!(p.req_u64("n").unwrap(), 5);
        assert_eq!(p.bool("b").unwrap(), Some(true));
        assert_eq!(p.str("z").unwrap(), None);
        let err = p.req_str("z").unwrap_err();
        assert_eq!(
            (err.mnemonic, err.field()),
            ("required_parameter_missed", Some("z"))
        );
        let err = p.req_u64("a").unwrap_err();
        assert_eq!((err.mnemonic, err.field()), ("data_type_error", Some("a")));
        assert_eq!(
            p.u64("neg").unwrap_err().mnemonic,
            "invalid_parameter_value"
        );
        let inner = p.req_object("o").unwrap();
        let err = inner.req_u64("id").unwrap_err();
        assert_eq!(
            (err.mnemonic, err.field()),
            ("data_type_error", Some("o.id"))
        );
        let err = p.allow(&["a", "n"]).unwrap_err();
        assert_eq!(err.mnemonic, "unexpected_parameters");
        let err = p.choice("a", &["y"]).unwrap_err();
        assert_eq!(err.mnemonic, "invalid_parameter_value");
    }
}
