//! `rocket-expr`: the sandboxed expression language of Rocket Backend
//! (spec chapter 10).
//!
//! Compile once, evaluate many times against borrowed JSON:
//!
//! ```
//! use rocket_expr::{compile, ContextKind};
//! use serde_json::json;
//!
//! let program = compile("record.status == 'paid' && record.payment_date == nil").unwrap();
//! program.check(ContextKind::ExpressionRule).unwrap();
//! let env = json!({"record": {"status": "paid"}, "old": {}, "action": "create"});
//! assert!(program.eval_bool(&env).unwrap());
//! ```
//!
//! The evaluator has no access to anything but the values it is given (and the
//! clock, for `now()` / `new Date()`), and every resource it uses is bounded
//! (see [`limits`]).

mod ast;
mod date;
mod eval;
mod parser;
mod value;

use serde_json::{Map, Value};
use std::fmt;

/// Resource limits (spec 10 §6). Exceeding one is a [`CompileError`] (text
/// length, nesting) or an [`EvalError`] of kind [`EvalErrorKind::Limit`].
pub mod limits {
    /// Maximum expression length in characters.
    pub const MAX_SOURCE_LEN: usize = 4096;
    /// Maximum syntactic nesting (parentheses, brackets, calls, unary and
    /// right-associative operators).
    pub const MAX_DEPTH: usize = 64;
    /// Maximum height of the syntax tree, which also bounds left-deep operator
    /// chains such as `a + b + c + …` (`&&` / `||` chains are flattened and
    /// do not count).
    pub const MAX_AST_HEIGHT: usize = 256;
    /// Evaluation steps per evaluation (one per node, plus one per element
    /// scanned or KiB of text processed).
    pub const MAX_STEPS: usize = 10_000;
    /// Largest string an evaluation may produce, in bytes.
    pub const MAX_STRING_BYTES: usize = 1 << 20;
    /// Largest array an evaluation may produce (by concatenation).
    pub const MAX_ARRAY_LEN: usize = 10_000;
    /// Compiled size limit for regular expressions, in bytes.
    pub const MAX_REGEX_SIZE: usize = 1 << 20;
    /// Deepest value nesting compared or serialised.
    pub const MAX_VALUE_DEPTH: usize = 128;
}

/// Where an expression is used; decides which variables exist (spec 10 §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContextKind {
    /// Expression rule (07 §3.4): `record`, `old`, `action`, and (beyond the
    /// reference, issue 9) `user` and `related` (07 §5 `related_load`).
    ExpressionRule,
    /// Computed rule (07 §3.4): as [`ContextKind::ExpressionRule`].
    ComputedRule,
    /// State-machine guard (08 §3.2): as [`ContextKind::ExpressionRule`].
    Guard,
    /// Workflow condition step (09 §4): `context`.
    WorkflowCondition,
    /// Webhook condition (12 §9.4): `record`, `old`, `changes`, `action`,
    /// `entity`, `event`, `user`.
    WebhookCondition,
}

impl ContextKind {
    /// The top-level variables the server supplies in this context.
    pub fn variables(self) -> &'static [&'static str] {
        match self {
            ContextKind::ExpressionRule | ContextKind::ComputedRule | ContextKind::Guard => {
                &["record", "old", "action", "user", "related"]
            }
            ContextKind::WorkflowCondition => &["context"],
            ContextKind::WebhookCondition => &[
                "record", "old", "changes", "action", "entity", "event", "user",
            ],
        }
    }

    fn name(self) -> &'static str {
        match self {
            ContextKind::ExpressionRule => "expression rule",
            ContextKind::ComputedRule => "computed rule",
            ContextKind::Guard => "guard",
            ContextKind::WorkflowCondition => "workflow condition",
            ContextKind::WebhookCondition => "webhook condition",
        }
    }
}

/// A syntax error, unknown function, wrong argument count, invalid literal
/// regular expression, exceeded text/nesting limit or (from
/// [`Program::check`]) unknown variable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} at line {line}, column {column}")]
pub struct CompileError {
    pub message: String,
    /// Byte offset into the source.
    pub offset: usize,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl CompileError {
    fn at(src: &str, message: String, offset: usize) -> Self {
        let (line, column) = line_col(src, offset);
        CompileError {
            message,
            offset,
            line,
            column,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EvalErrorKind {
    /// An operator or function applied to values it does not accept.
    Type,
    /// Division by zero or a non-finite result.
    Arithmetic,
    /// A method name the language does not know (`x.foo()`).
    UnknownMethod,
    /// A dynamic `matches` pattern that does not compile.
    Regex,
    /// A resource limit (steps, string/array size, value depth).
    Limit,
}

/// A runtime failure. The message prefixes of spec 10 §3 (`cannot compare
/// null`, `division by zero`, …) are kept; the rest is informative.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} at line {line}, column {column}")]
pub struct EvalError {
    pub kind: EvalErrorKind,
    pub message: String,
    pub offset: usize,
    pub line: usize,
    pub column: usize,
}

fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let before = src.get(..offset).unwrap_or(src);
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit_once('\n')
        .map_or(before, |(_, tail)| tail)
        .chars()
        .count()
        + 1;
    (line, col)
}

/// Variable lookup for an evaluation. Implemented for a JSON object
/// (`{"record": …, "old": …}`), a `serde_json::Map`, and slices/arrays of
/// `(&str, &Value)` pairs so callers can evaluate without assembling an
/// environment object.
pub trait Env {
    fn lookup(&self, name: &str) -> Option<&Value>;
}

impl Env for Value {
    fn lookup(&self, name: &str) -> Option<&Value> {
        self.as_object().and_then(|m| m.get(name))
    }
}

impl Env for Map<String, Value> {
    fn lookup(&self, name: &str) -> Option<&Value> {
        self.get(name)
    }
}

impl Env for [(&str, &Value)] {
    fn lookup(&self, name: &str) -> Option<&Value> {
        self.iter().find(|(k, _)| *k == name).map(|(_, v)| *v)
    }
}

impl<const N: usize> Env for [(&str, &Value); N] {
    fn lookup(&self, name: &str) -> Option<&Value> {
        self.as_slice().lookup(name)
    }
}

/// A described result of [`Program::eval_outcome`].
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The result as JSON (spec 10 §3.8: a date becomes an RFC 3339 string).
    pub value: Value,
    /// The value's type before conversion: `null`, `bool`, `number`, `string`,
    /// `array`, `object` or `date` (spec 10 §3.2).
    pub type_name: &'static str,
    /// What a rule, guard or condition makes of it (spec 10 §3.5).
    pub truthy: bool,
}

/// A compiled expression. Immutable, `Send + Sync`: cache it (keyed by the
/// source text) and share it between threads.
pub struct Program {
    src: Box<str>,
    root: ast::Expr,
}

impl fmt::Debug for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Program")
            .field("source", &self.src)
            .finish()
    }
}

/// Parses and statically validates `src`: syntax, known functions and their
/// argument counts, literal regular expressions, and the length/nesting
/// limits. An empty or blank text is an error; callers that treat an empty
/// expression as "no condition" (07 §3.4, 12 §9.4) check for that first.
pub fn compile(src: &str) -> Result<Program, CompileError> {
    // Check bytes first so a huge input is refused without scanning it.
    if src.len() > limits::MAX_SOURCE_LEN * 4 || src.chars().count() > limits::MAX_SOURCE_LEN {
        return Err(CompileError {
            message: format!(
                "expression too long (limit {} characters)",
                limits::MAX_SOURCE_LEN
            ),
            offset: 0,
            line: 1,
            column: 1,
        });
    }
    match parser::parse(src) {
        Ok(root) => Ok(Program {
            src: src.into(),
            root,
        }),
        Err((message, offset)) => Err(CompileError::at(src, message, offset)),
    }
}

/// [`compile`] followed by [`Program::check`].
pub fn compile_for(kind: ContextKind, src: &str) -> Result<Program, CompileError> {
    let p = compile(src)?;
    p.check(kind)?;
    Ok(p)
}

impl Program {
    pub fn source(&self) -> &str {
        &self.src
    }

    /// Rejects references to variables that `kind` does not provide (spec
    /// 10 §5). Meant for save-time validation: at run time an unknown
    /// variable is simply `null`, so this check is stricter than evaluation
    /// (it refuses e.g. `user.roles` in a rule, which can never be true).
    pub fn check(&self, kind: ContextKind) -> Result<(), CompileError> {
        let allowed = kind.variables();
        let mut bad: Option<(String, u32)> = None;
        self.root.for_each_var(&mut |name, pos| {
            if bad.is_none() && !allowed.contains(&name) {
                bad = Some((name.to_string(), pos));
            }
        });
        match bad {
            None => Ok(()),
            Some((name, pos)) => Err(CompileError::at(
                &self.src,
                format!(
                    "unknown variable {name} in {} (available: {})",
                    kind.name(),
                    allowed.join(", ")
                ),
                pos as usize,
            )),
        }
    }

    /// True when the expression reads the top-level variable `name` (so a caller
    /// can skip supplying what no expression uses).
    pub fn uses_variable(&self, name: &str) -> bool {
        let mut found = false;
        self.root.for_each_var(&mut |n, _| found |= n == name);
        found
    }

    /// Evaluates and converts the result to JSON (spec 10 §3.8): integral
    /// numbers as integers, dates as RFC 3339 UTC strings, invalid dates as
    /// `null`.
    pub fn eval<E: Env + ?Sized>(&self, env: &E) -> Result<Value, EvalError> {
        self.run(env, |v| v.to_json())
    }

    /// Evaluates in a boolean context: the truthiness of the result (spec 10
    /// §3.5) — `false`, `null`, `0` and `""` are false, everything else true.
    pub fn eval_bool<E: Env + ?Sized>(&self, env: &E) -> Result<bool, EvalError> {
        self.run(env, |v| v.truthy())
    }

    /// Evaluates and describes the result: its JSON form (as [`Program::eval`]),
    /// the name of its type in the language and its truthiness (as
    /// [`Program::eval_bool`]), for a caller that shows an expression's result.
    pub fn eval_outcome<E: Env + ?Sized>(&self, env: &E) -> Result<Outcome, EvalError> {
        self.run(env, |v| Outcome {
            value: v.to_json(),
            type_name: v.type_name(),
            truthy: v.truthy(),
        })
    }

    /// Evaluates against `env` and hands the result to `finish`, which turns
    /// it into what the caller returns.
    fn run<E: Env + ?Sized, T>(
        &self,
        env: &E,
        finish: impl FnOnce(&value::Val<'_>) -> T,
    ) -> Result<T, EvalError> {
        let env = EnvRef(env);
        let mut ev = eval::Evaluator::new(&env);
        match ev.eval(&self.root) {
            Ok(v) => Ok(finish(&v)),
            Err(f) => Err(self.error(f)),
        }
    }

    fn error(&self, f: eval::Fail) -> EvalError {
        let offset = f.pos as usize;
        let (line, column) = line_col(&self.src, offset);
        EvalError {
            kind: f.kind,
            message: f.msg,
            offset,
            line,
            column,
        }
    }
}

// Dynamic dispatch keeps one copy of the evaluator however many environment
// types callers use; the cost is one indirect call per variable reference.
// The sized wrapper is what lets unsized environments (slices) become `dyn`.
struct EnvRef<'e, E: ?Sized>(&'e E);

impl<E: Env + ?Sized> Env for EnvRef<'_, E> {
    fn lookup(&self, name: &str) -> Option<&Value> {
        self.0.lookup(name)
    }
}
