//! The `ember` binary driven as a user drives it: every shipped config, every subcommand, and
//! a catalogue of bad configs and bad CSV files with their messages and exit codes. One test
//! binary (each binary links burn: CI time).

mod bad_configs;
mod cache;
mod clustering;
mod commands;
mod common;
mod configs;
mod run_dirs;
mod streaming;
mod user_data;
