//! Any text: the parser answers (a document or errors) without panicking, and what it
//! accepts prints to a text that parses back to the same statements.
#![no_main]

use libfuzzer_sys::fuzz_target;
use policy::iam;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(doc) = iam::parse(text) {
        let printed = iam::print(&doc);
        let again = iam::parse(&printed).expect("the canonical form parses");
        assert_eq!(again.statements, doc.statements);
    }
});
