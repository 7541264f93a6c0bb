pub mod conformance;
pub mod vector;
