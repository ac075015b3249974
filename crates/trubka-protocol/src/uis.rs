//! UIS notifications.
