//! Rendering diagnoses: rustc-style text, GitHub annotations, JSON.
