//! Raw DEFLATE (RFC 1951) by the browser's own compressor, `CompressionStream("deflate-raw")`
//! (Chromium 103, Firefox 113, Safari 16.4). Share links are compressed with it, so the
//! page's wasm carries no compressor of its own (miniz_oxide's is about 18 KB of wasm, 7 KB
//! gzipped); `ha_engine::Scenario::decode` still reads the links natively and in the page.

use js_sys::{Array, Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{ReadableStream, ReadableWritablePair, Response};

/// `bytes` compressed as raw DEFLATE, by the browser.
///
/// Errors: the browser's message (no `CompressionStream`, or the stream failed).
pub async fn deflate_raw(mut bytes: Vec<u8>) -> Result<Vec<u8>, String> {
    let err = super::js_message;
    let ctor: js_sys::Function = Reflect::get(&js_sys::global(), &"CompressionStream".into())
        .map_err(err)?
        .dyn_into()
        .map_err(|_| "this browser has no CompressionStream".to_string())?;
    // A CompressionStream is a { readable, writable } pair, which is what pipeThrough takes.
    let pair: ReadableWritablePair = Reflect::construct(&ctor, &Array::of1(&"deflate-raw".into()))
        .map_err(err)?
        .unchecked_into();
    let input: ReadableStream = Response::new_with_opt_u8_array(Some(&mut bytes))
        .map_err(err)?
        .body()
        .ok_or("no body")?;
    let out =
        Response::new_with_opt_readable_stream(Some(&input.pipe_through(&pair))).map_err(err)?;
    let buf = JsFuture::from(out.array_buffer().map_err(err)?)
        .await
        .map_err(err)?;
    Ok(Uint8Array::new(&buf).to_vec())
}
