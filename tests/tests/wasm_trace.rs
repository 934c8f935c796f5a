//! The same lesson and seed give the same trace hash in the browser (wasm32) as natively:
//! both must equal the golden hashes in `tests/golden/trace_hashes.txt`.
//! Run with `cargo test -p zkafka-tests --target wasm32-unknown-unknown --test wasm_trace`.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use zkafka_tests::{golden, run};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn election_lesson_hash_matches_native() {
    let entries = golden();
    let (id, seed, want) = entries
        .iter()
        .find(|(id, _, _)| id == "zk-leader-election")
        .expect("golden entry");
    let run = run(id, *seed);
    assert!(run.passed(), "the lesson's expectations hold in wasm too");
    assert_eq!(&run.trace_hash(), want);
}

#[wasm_bindgen_test]
fn every_golden_hash_matches_in_wasm() {
    for (id, seed, want) in golden() {
        assert_eq!(run(&id, seed).trace_hash(), want, "{id} seed {seed}");
    }
}
