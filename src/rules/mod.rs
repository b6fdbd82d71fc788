//! The rule table: built-in rules (data, `rules/builtin.toml`) and user rule files.
