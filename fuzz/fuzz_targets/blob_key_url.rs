#![no_main]
//! libFuzzer entry point of [`polyfaas_fuzz::targets::blob_key_url`].
libfuzzer_sys::fuzz_target!(|data: &[u8]| polyfaas_fuzz::targets::blob_key_url::run(data));
