#![no_main]
//! libFuzzer entry point of [`polyfaas_fuzz::targets::aws_event`].
libfuzzer_sys::fuzz_target!(|data: &[u8]| polyfaas_fuzz::targets::aws_event::run(data));
