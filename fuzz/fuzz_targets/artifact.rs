#![no_main]
//! See sopc::harness::artifact_bytes.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| sopc::harness::artifact_bytes(data));
