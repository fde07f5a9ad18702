//! `cargo-polyfaas`: run as `cargo polyfaas <command>` once installed (`cargo install --path
//! cli`), or `cargo run -p polyfaas-cli -- <command>` in the workspace.

fn main() -> std::process::ExitCode {
    polyfaas_cli::cli::main(std::env::args_os())
}
