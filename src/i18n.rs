//! English or Chinese: chosen from GOTRIAGE_LANG, then LC_ALL / LC_MESSAGES / LANG.
