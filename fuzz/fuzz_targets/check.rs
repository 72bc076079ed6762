#![no_main]
//! See sopc::harness::check_bytes.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| sopc::harness::check_bytes(data));
