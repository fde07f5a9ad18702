#![no_main]
//! libFuzzer entry point of [`polyfaas_fuzz::targets::aws_detect`].
libfuzzer_sys::fuzz_target!(|data: &[u8]| polyfaas_fuzz::targets::aws_detect::run(data));
