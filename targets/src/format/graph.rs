//! The fixed object graph templates are formatted against, shaped like a
//! web application's: a `user`, an `event`, positional arguments, and a
//! configuration map reachable only through dunder attributes.
//!
//! # Guarantees
//!
//! The graph is a tree of 132 values, at most 6 levels deep; the
//! [`CANARY`] is held only as `CONFIG["SECRET_KEY"]` of the globals map,
//! a copy of which every `__init__` function's `__globals__` and the
//! event's private `context["_app"]` key lead to.
//!
//! # Time complexity
//!
//! [`Graph::new`] is O(1) (a fixed tree); lookups are linear in the number
//! of attributes or keys of the value looked in, at most 8.

/// The secret the canary oracle looks for in the output.
pub const CANARY: &str = "GAUNTLET-SECRET-KEY-5f1c9e2a";

/// A value of the graph.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A string.
    Str(&'static str),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A list, indexed by `[0]`.
    List(Vec<Value>),
    /// A map with string keys, indexed by `[key]`.
    Map(Vec<(&'static str, Value)>),
    /// An object of a class, with attributes.
    Object {
        /// The class name (`User`).
        class: &'static str,
        /// The attributes, public and dunder.
        attrs: Vec<(&'static str, Value)>,
    },
    /// A function, with attributes (`__globals__`, `__name__`).
    Function {
        /// The qualified name (`Event.__init__`).
        name: &'static str,
        /// The attributes.
        attrs: Vec<(&'static str, Value)>,
    },
}

impl Value {
    /// The attribute `name`, if the value has it.
    pub fn attr(&self, name: &str) -> Option<&Value> {
        match self {
            Value::Object { attrs, .. } | Value::Function { attrs, .. } => {
                attrs.iter().find(|(k, _)| *k == name).map(|(_, v)| v)
            }
            _ => None,
        }
    }

    /// The item `key`: an index of a list when `key` is all digits, a key
    /// of a map otherwise.
    pub fn item(&self, key: &str) -> Option<&Value> {
        match self {
            Value::List(items) => key.parse::<usize>().ok().and_then(|i| items.get(i)),
            Value::Map(entries) => entries.iter().find(|(k, _)| *k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The type name Python would give (`str`, `User`).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "str",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::List(_) => "list",
            Value::Map(_) => "dict",
            Value::Object { class, .. } => class,
            Value::Function { .. } => "function",
        }
    }
}

/// The arguments a template is formatted with.
#[derive(Clone, Debug, PartialEq)]
pub struct Graph {
    /// Positional arguments, `{0}` to `{4}`.
    pub args: Vec<Value>,
    /// Keyword arguments: `user` and `event`.
    pub kwargs: Vec<(&'static str, Value)>,
}

impl Default for Graph {
    fn default() -> Graph {
        Graph::new()
    }
}

fn init(class: &'static str) -> Value {
    let config = Value::Map(vec![
        ("SECRET_KEY", Value::Str(CANARY)),
        ("DEBUG", Value::Int(0)),
        ("SESSION_COOKIE_NAME", Value::Str("session")),
    ]);
    let globals = Value::Map(vec![
        ("__name__", Value::Str("app.models")),
        ("CONFIG", config),
        ("VERSION", Value::Str("2.4.1")),
    ]);
    let name = if class == "User" { "User.__init__" } else { "Event.__init__" };
    Value::Function {
        name,
        attrs: vec![("__name__", Value::Str("__init__")), ("__globals__", globals)],
    }
}

fn class_of(class: &'static str) -> Value {
    Value::Object {
        class: "type",
        attrs: vec![
            ("__name__", Value::Str(class)),
            ("__module__", Value::Str("app.models")),
            ("__init__", init(class)),
        ],
    }
}

impl Graph {
    /// The fixed graph.
    pub fn new() -> Graph {
        let user = Value::Object {
            class: "User",
            attrs: vec![
                ("name", Value::Str("alice")),
                ("id", Value::Int(7)),
                ("email", Value::Str("alice@example.com")),
                ("score", Value::Float(9.87654)),
                ("roles", Value::List(vec![Value::Str("admin"), Value::Str("editor")])),
                (
                    "prefs",
                    Value::Map(vec![("theme", Value::Str("dark")), ("lang", Value::Str("en"))]),
                ),
                ("__class__", class_of("User")),
                ("__init__", init("User")),
            ],
        };
        let event = Value::Object {
            class: "Event",
            attrs: vec![
                ("name", Value::Str("login")),
                ("id", Value::Int(42)),
                ("ratio", Value::Float(0.75)),
                ("tags", Value::List(vec![Value::Str("web"), Value::Str("auth")])),
                ("handlers", Value::List(vec![init("Event")])),
                ("context", Value::Map(vec![("ip", Value::Str("10.0.0.1")), ("_app", globals())])),
                ("__class__", class_of("Event")),
                ("__init__", init("Event")),
            ],
        };
        Graph {
            args: vec![
                Value::Str("alice"),
                Value::Int(42),
                Value::Float(3.5),
                Value::Int(-7),
                event.clone(),
            ],
            kwargs: vec![("user", user), ("event", event)],
        }
    }
}

fn globals() -> Value {
    match init("Event") {
        Value::Function { attrs, .. } => {
            attrs.into_iter().nth(1).map(|(_, v)| v).unwrap_or(Value::Int(0))
        }
        other => other,
    }
}
