//! Raw DEFLATE (RFC 1951) by the browser's own compressor and decompressor,
//! `CompressionStream` / `DecompressionStream("deflate-raw")` (Chromium 103, Firefox 113,
//! Safari 16.4). Share links are compressed and opened with them, so the page's wasm carries
//! no DEFLATE code of its own (miniz_oxide's compressor is about 7 KB gzipped, its
//! decompressor about 6 KB). `ha_engine::Scenario::decode` reads links natively.

use js_sys::{Array, Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{ReadableStream, ReadableWritablePair, Response};

/// `bytes` through the browser's stream `class` (`CompressionStream` or
/// `DecompressionStream`) in `deflate-raw` format.
///
/// Errors: the browser's message (no such stream, or the data is not DEFLATE).
async fn through(class: &str, mut bytes: Vec<u8>) -> Result<Vec<u8>, String> {
    let err = super::js_message;
    let ctor: js_sys::Function = Reflect::get(&js_sys::global(), &class.into())
        .map_err(err)?
        .dyn_into()
        .map_err(|_| format!("this browser has no {class}"))?;
    // A (De)CompressionStream is a { readable, writable } pair, which pipeThrough takes.
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

/// `bytes` compressed as raw DEFLATE, by the browser.
///
/// Errors: the browser's message (no `CompressionStream`, or the stream failed).
pub async fn deflate_raw(bytes: Vec<u8>) -> Result<Vec<u8>, String> {
    through("CompressionStream", bytes).await
}

/// Raw DEFLATE `bytes` inflated, by the browser.
///
/// Errors: the browser's message (no `DecompressionStream`, or the data is cut or is not
/// DEFLATE).
pub async fn inflate_raw(bytes: Vec<u8>) -> Result<Vec<u8>, String> {
    through("DecompressionStream", bytes).await
}
