#![no_main]
//! libFuzzer entry point of [`polyfaas_fuzz::targets::canonical`].
libfuzzer_sys::fuzz_target!(|data: &[u8]| polyfaas_fuzz::targets::canonical::run(data));
