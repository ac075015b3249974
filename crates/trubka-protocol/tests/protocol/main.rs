//! The wire formats' tests, one binary: every webhook shape from the fixtures, the stream's
//! frames and the directory's bodies, parsed and round-tripped.

mod common;

mod directory;
mod robustness;
mod sipuni;
mod stream;
mod uis;
