pub fn run(data: &[u8]) {
    let _ = polyfaas_aws::detect(data);
}
