#![no_main]
//! libFuzzer entry point of [`polyfaas_fuzz::targets::openwhisk_line`].
libfuzzer_sys::fuzz_target!(|data: &[u8]| polyfaas_fuzz::targets::openwhisk_line::run(data));
