//! The state of one call, folded from its events.
