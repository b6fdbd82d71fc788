//! The one redaction step everything gotriage prints or writes passes through.
