//! A BPMN file: reading, checking and drawing any text never panics (nor overflows the stack,
//! nor runs away in time or memory: libFuzzer's -timeout and -rss_limit_mb catch those).

#![no_main]

use libfuzzer_sys::fuzz_target;
use motcua_workflow::svg::{RenderOptions, render, render_with};

fuzz_target!(|bytes: &[u8]| {
    let Ok(xml) = std::str::from_utf8(bytes) else {
        return;
    };
    let Ok(doc) = motcua_workflow::parse_document(xml) else {
        return;
    };
    let _ = motcua_workflow::check(&doc);
    let _ = render(&doc, &[]);
    // Mark some elements current and some done, as the dossier page does.
    let ids: Vec<&str> = doc.elements.iter().map(|e| e.id.as_str()).collect();
    let (done, current) = ids.split_at(ids.len() / 2);
    let options = RenderOptions {
        highlight: current,
        done,
        title: Some("<&\"'>"),
        id_prefix: "f<z>",
    };
    let _ = render_with(&doc, &options);
});
