#![no_main]
//! See sopc::harness::fmt_bytes.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| sopc::harness::fmt_bytes(data));
