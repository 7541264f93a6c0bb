//! Node bindings of slakit (work in progress).
