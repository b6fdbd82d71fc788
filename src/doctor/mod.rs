//! `gotriage doctor`: local checks and network probes.
