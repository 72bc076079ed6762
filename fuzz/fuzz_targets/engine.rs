#![no_main]
//! See sopc::harness::engine_bytes: sessions of the HAC policy driven by
//! arbitrary moves.
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static HAC: OnceLock<sopc::Engine> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let engine = HAC.get_or_init(|| {
        let graph =
            sopc::compile(include_str!("../../policies/hac.sop")).expect("hac.sop compiles");
        sopc::Engine::new(graph).expect("hac.sop verifies")
    });
    sopc::harness::engine_bytes(engine, data);
});
