#![no_main]
//! libFuzzer entry point of [`polyfaas_fuzz::targets::azure_function_json`].
libfuzzer_sys::fuzz_target!(|data: &[u8]| polyfaas_fuzz::targets::azure_function_json::run(data));
