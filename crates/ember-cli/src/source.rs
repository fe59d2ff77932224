//! Reading an experiment file with `--set` overrides, reporting every problem at once with
//! its file, line and column (or the `--set` argument it came from).
//!
//! The TOML is parsed into a tree that keeps each value's byte span; overrides are parsed in a
//! section appended after the file, so their spans point past its end. Deserialisation stops at
//! the first error, so an entry that fails is reported, removed from the tree, and the rest is
//! deserialised again until it passes; then the semantic checks run, each problem located at
//! the value it is about.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;
use std::path::Path;

use ember::core::Problem;
use ember::data::did_you_mean;
use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// One problem with a config: where it is and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// `file:line:column`, or the `--set` argument.
    pub origin: String,
    /// The field's path (`model.mlp_classifier.train.learning_rate`), when known.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{}: `{field}`: {}", self.origin, self.message),
            None => write!(f, "{}: {}", self.origin, self.message),
        }
    }
}

/// Every problem found in a config, in file order; one line each when printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigErrors(pub Vec<Diagnostic>);

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

const SET_TABLE: &str = "__ember_set__";

/// The text being read: the file, then the overrides' section.
struct Text<'a> {
    name: &'a str,
    text: String,
    file_len: usize,
    overrides: Vec<(&'a str, Range<usize>)>,
}

impl Text<'_> {
    fn origin(&self, span: &Range<usize>) -> String {
        // Past the file's end is the overrides' section (an empty file's span, 0..0, is the
        // file's).
        if span.start > self.file_len
            && let Some((last, _)) = self.overrides.last()
        {
            let arg = self
                .overrides
                .iter()
                .find(|(_, r)| r.contains(&span.start))
                .map_or(*last, |o| o.0);
            return format!("--set {arg}");
        }
        let before = &self.text[..span.start.min(self.file_len)];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        format!("{}:{line}:{column}", self.name)
    }
}

/// Deserialises `T` from the TOML `text` (named `name` in messages) with `overrides`
/// (`key.path=value`), then runs `check` on the result; every problem is reported.
///
/// ```
/// use serde::Deserialize;
/// #[derive(Deserialize)]
/// #[serde(deny_unknown_fields)]
/// struct Train { epochs: usize, learning_rate: f64 }
/// let text = "epochs = \"ten\"\nlerning_rate = 0.1\n";
/// let Err(err) = ember_cli::parse_with::<Train>("a.toml", text, &[], |_| vec![]) else { panic!() };
/// let lines: Vec<String> = err.0.iter().map(|d| d.to_string()).collect();
/// assert_eq!(lines[0], "a.toml:1:10: `epochs`: invalid type: string \"ten\", expected usize");
/// assert_eq!(lines[1], "a.toml:2:1: `lerning_rate`: unknown field `lerning_rate` (did you mean `learning_rate`?)");
/// ```
pub fn parse_with<T: for<'de> Deserialize<'de>>(
    name: &str,
    file: &str,
    overrides: &[String],
    check: impl FnOnce(&T) -> Vec<Problem>,
) -> Result<T, ConfigErrors> {
    let mut text = Text {
        name,
        text: file.to_string(),
        file_len: file.len(),
        overrides: Vec::new(),
    };
    let mut errors = Vec::new();
    let mut assignments = Vec::new();
    if !overrides.is_empty() {
        text.text.push_str(&format!("\n[{SET_TABLE}]\n"));
        for (i, arg) in overrides.iter().enumerate() {
            let Some((key, value)) = arg.split_once('=') else {
                errors.push(Diagnostic {
                    origin: format!("--set {arg}"),
                    field: None,
                    message: "expected key.path=value".into(),
                });
                continue;
            };
            let keys: Vec<&str> = key.trim().split('.').collect();
            if keys.iter().any(|k| {
                k.is_empty()
                    || !k
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            }) {
                errors.push(Diagnostic {
                    origin: format!("--set {arg}"),
                    field: None,
                    message: format!("`{key}` is not a dotted key path like train.epochs"),
                });
                continue;
            }
            let value = value.trim();
            let literal = if DeValue::parse(value).is_ok() {
                value.to_string()
            } else {
                toml::Value::String(value.into()).to_string()
            };
            let start = text.text.len();
            text.text.push_str(&format!("s{i} = {literal}\n"));
            text.overrides.push((arg.as_str(), start..text.text.len()));
            assignments.push((format!("s{i}"), keys));
        }
    }
    let (root, syntax) = DeTable::parse_recoverable(&text.text);
    if !syntax.is_empty() {
        errors.extend(syntax.iter().map(|e| {
            Diagnostic {
                origin: e
                    .span()
                    .map_or_else(|| name.to_string(), |s| text.origin(&s)),
                field: None,
                message: e.message().trim().to_string(),
            }
        }));
        return Err(ConfigErrors(errors));
    }
    let root_span = root.span();
    let mut root = root.into_inner();
    if let Some(set) = root.remove(SET_TABLE).filter(|_| !overrides.is_empty()) {
        let span = set.span();
        let DeValue::Table(mut set) = set.into_inner() else {
            errors.push(Diagnostic {
                origin: text.origin(&span),
                field: Some(SET_TABLE.into()),
                message: "is a name ember keeps for --set".into(),
            });
            return Err(ConfigErrors(errors));
        };
        for (slot, keys) in assignments {
            let Some(value) = set.remove(slot.as_str()) else {
                continue;
            };
            if let Err(message) = assign(&mut root, &keys, value.clone()) {
                errors.push(Diagnostic {
                    origin: text.origin(&value.span()),
                    field: Some(keys.join(".")),
                    message,
                });
            }
        }
    }
    let original = root.clone();
    let mut removed: Vec<Vec<String>> = Vec::new();
    let parsed = loop {
        let attempt = T::deserialize(toml::Deserializer::from(Spanned::new(
            root_span.clone(),
            root.clone(),
        )));
        let err = match attempt {
            Ok(value) => break Some(value),
            Err(err) => err,
        };
        let span = err.span().unwrap_or(root_span.clone());
        let message = err.message().trim().to_string();
        let found = if span == root_span {
            None
        } else {
            locate(&root, span.start, &mut Vec::new())
        };
        let unknown = message.starts_with("unknown field");
        if message.starts_with("missing field") {
            let parent = found.as_ref().map_or(&[][..], |(path, _)| path.as_slice());
            let missing = message.split('`').nth(1).unwrap_or_default();
            if removed
                .iter()
                .any(|r| r.starts_with(parent) && r.last().is_some_and(|k| k == missing))
            {
                // A required value that was reported and dropped above: drop its table too,
                // so its defaults stand in and the rest is still checked.
                if parent.is_empty() {
                    break None;
                }
                let parent = parent.to_vec();
                remove(&mut root, &parent);
                removed.push(parent);
                continue;
            }
        }
        let mut found = found;
        let message = match (&mut found, message.starts_with("wanted exactly 1 element")) {
            (Some((path, true)), true) => {
                // The error points into the enum's table or at one of its kinds.
                if path.len() > 1 && table_len(&root, &path[..path.len() - 1]) != 1 {
                    path.pop();
                }
                one_kind(&root, path)
            }
            _ => explain(&message),
        };
        errors.push(Diagnostic {
            origin: text.origin(&span),
            field: found
                .as_ref()
                .map(|(path, _)| path.join("."))
                .filter(|p| !p.is_empty()),
            message,
        });
        match found {
            Some((path, is_table)) if (!is_table || unknown) && removed.len() < 64 => {
                remove(&mut root, &path);
                removed.push(path);
            }
            _ => break None,
        }
    };
    if let Some(value) = &parsed {
        for problem in check(value) {
            let span = span_of(&original, &problem.field).unwrap_or(root_span.clone());
            errors.push(Diagnostic {
                origin: text.origin(&span),
                field: Some(problem.field),
                message: problem.message,
            });
        }
    }
    match parsed {
        Some(value) if errors.is_empty() => Ok(value),
        _ => {
            errors.sort_by_key(|d| sort_key(&d.origin, overrides));
            Err(ConfigErrors(errors))
        }
    }
}

/// Reads `path` and [`parse_with`] its text.
pub fn read_with<T: for<'de> Deserialize<'de>>(
    path: &Path,
    overrides: &[String],
    check: impl FnOnce(&T) -> Vec<Problem>,
) -> Result<T, ConfigErrors> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        ConfigErrors(vec![Diagnostic {
            origin: name.clone(),
            field: None,
            message: e.to_string(),
        }])
    })?;
    parse_with(&name, &text, overrides, check)
}

/// Where the value at `field` (a dotted path) is in the TOML `text` of the file `name`:
/// `name:line:column` (of the deepest part of the path the text has).
pub(crate) fn field_origin(name: &str, text: &str, field: &str) -> String {
    let span = DeTable::parse(text)
        .ok()
        .and_then(|table| span_of(table.get_ref(), field))
        .unwrap_or(0..0);
    let text = Text {
        name,
        text: text.to_string(),
        file_len: text.len(),
        overrides: Vec::new(),
    };
    text.origin(&span)
}

/// File lines first, in order, then overrides in the order given.
fn sort_key(origin: &str, overrides: &[String]) -> (u8, usize, usize) {
    if let Some(arg) = origin.strip_prefix("--set ") {
        let i = overrides
            .iter()
            .position(|o| o == arg)
            .unwrap_or(usize::MAX);
        return (1, i, 0);
    }
    let mut parts = origin.rsplitn(3, ':');
    let column = parts.next().and_then(|c| c.parse().ok());
    let line = parts.next().and_then(|l| l.parse().ok());
    match (line, column) {
        (Some(l), Some(c)) => (0, l, c),
        _ => (0, 0, 0),
    }
}

/// serde's message with a "did you mean" for a near miss.
fn explain(message: &str) -> String {
    let quoted: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
    for what in ["unknown field", "unknown variant"] {
        if message.starts_with(what)
            && let Some((&given, expected)) = quoted.split_first()
        {
            return match did_you_mean(given, expected.iter().copied()) {
                Some(s) => format!("{what} `{given}` (did you mean `{s}`?)"),
                None if expected.is_empty() => format!("{what} `{given}`"),
                None => format!(
                    "{what} `{given}`; expected {}",
                    expected
                        .iter()
                        .map(|e| format!("`{e}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
        }
    }
    message.to_string()
}

/// Entries in the table at `path` (0 when it is not a table).
fn table_len(root: &DeTable<'_>, path: &[String]) -> usize {
    table_at(root, path).map_or(0, |t| t.len())
}

fn table_at<'a, 'i>(root: &'a DeTable<'i>, path: &[String]) -> Option<&'a DeTable<'i>> {
    let mut table = Some(root);
    for key in path {
        table = table.and_then(|t| match t.get(key.as_str()).map(|v| v.get_ref()) {
            Some(DeValue::Table(inner)) => Some(inner),
            _ => None,
        });
    }
    table
}

/// The message for a table that should name one kind (`[model.<kind>]`) but names several or
/// none.
fn one_kind(root: &DeTable<'_>, path: &[String]) -> String {
    let kinds: Vec<String> = table_at(root, path)
        .map(|t| {
            t.iter()
                .map(|(k, _)| format!("`{}`", k.get_ref()))
                .collect()
        })
        .unwrap_or_default();
    match kinds.as_slice() {
        [] => "give one kind as a table, e.g. [model.linear_regression]".into(),
        _ => format!("give exactly one kind, found {}", kinds.join(" and ")),
    }
}

/// The path of the deepest entry whose key or value contains byte `pos`, and whether its value
/// is a table.
fn locate(table: &DeTable<'_>, pos: usize, path: &mut Vec<String>) -> Option<(Vec<String>, bool)> {
    for (key, value) in table.iter() {
        path.push(key.get_ref().to_string());
        if let DeValue::Table(inner) = value.get_ref()
            && let Some(found) = locate(inner, pos, path)
        {
            return Some(found);
        }
        path.pop();
    }
    table
        .iter()
        .find(|(k, v)| k.span().contains(&pos) || v.span().contains(&pos))
        .map(|(k, v)| {
            let mut p = path.clone();
            p.push(k.get_ref().to_string());
            (p, matches!(v.get_ref(), DeValue::Table(_)))
        })
}

fn remove(table: &mut DeTable<'_>, path: &[String]) {
    match path {
        [] => {}
        [last] => {
            table.remove(last.as_str());
        }
        [first, rest @ ..] => {
            if let Some(v) = table.get_mut(first.as_str())
                && let DeValue::Table(inner) = v.get_mut()
            {
                remove(inner, rest);
            }
        }
    }
}

/// Puts `value` at `keys`, making tables on the way.
fn assign<'i>(
    table: &mut DeTable<'i>,
    keys: &[&str],
    value: Spanned<DeValue<'i>>,
) -> Result<(), String> {
    let Some((first, rest)) = keys.split_first() else {
        return Ok(());
    };
    let key = Spanned::new(value.span(), Cow::Owned(first.to_string()));
    if rest.is_empty() {
        table.insert(key, value);
        return Ok(());
    }
    let span = value.span();
    let slot = table
        .entry(key)
        .or_insert_with(|| Spanned::new(span, DeValue::Table(DeTable::new())));
    match slot.get_mut() {
        DeValue::Table(inner) => assign(inner, rest, value),
        other => Err(format!("`{first}` is a {}, not a table", other.type_str())),
    }
}

/// The span of the value at a problem's field path (`a.b[2].c`), or of the deepest part of it
/// that the file has.
fn span_of(table: &DeTable<'_>, field: &str) -> Option<Range<usize>> {
    let mut span = None;
    let mut current: Option<&DeValue<'_>> = None;
    for part in field.split('.') {
        let (key, index) = match part.split_once('[') {
            Some((k, i)) => (k, i.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        let map = match current {
            None => table,
            Some(DeValue::Table(t)) => t,
            Some(_) => break,
        };
        let Some(mut value) = map.get(key) else { break };
        if let (Some(i), DeValue::Array(items)) = (index, value.get_ref())
            && let Some(item) = items.get(i)
        {
            value = item;
        }
        span = Some(value.span());
        current = Some(value.get_ref());
    }
    span
}
