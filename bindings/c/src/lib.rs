//! The C ABI of slakit (work in progress).
