//! Python bindings of slakit (work in progress).
