//! Builds this suite needs besides echo (with the test kit's `Build`): the `noisy` example of
//! `polyfaas-openwhisk` and the `polyfaas-openwhisk-package` command; and a small zip reader to
//! check the package.

use std::path::PathBuf;
use std::sync::OnceLock;

use conformance_tests::build::workspace_root;
use polyfaas_testkit::build::Build;
use polyfaas_testkit::Platform;

/// Runs the build and returns the copy of its executable.
fn build(build: Build) -> PathBuf {
    build
        .current_dir(workspace_root())
        .run()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The `noisy` example: prints what it is asked to on stdout and stderr, then answers.
pub fn noisy_example() -> PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        build(
            Build::plain("openwhisk-tools")
                .package("polyfaas-openwhisk")
                .example("noisy"),
        )
    })
    .clone()
}

/// The `polyfaas-openwhisk-package` command.
pub fn packager() -> PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        build(
            Build::plain("openwhisk-tools")
                .package("polyfaas-openwhisk")
                .feature("package")
                .bin("polyfaas-openwhisk-package"),
        )
    })
    .clone()
}

/// Release builds of the OpenWhisk echo and of the `bare_loop` anchor, for the measurement.
pub fn release_pair() -> (PathBuf, PathBuf) {
    let echo = build(
        Build::for_platform(Platform::OpenWhisk)
            .package("echo")
            .bin("echo")
            .release(true),
    );
    let bare = build(
        Build::plain("openwhisk-tools")
            .package("polyfaas-openwhisk")
            .example("bare_loop")
            .release(true),
    );
    (echo, bare)
}

/// One entry of a zip's central directory.
#[derive(Debug)]
pub struct ZipEntry {
    pub name: String,
    /// `st_mode` from the external attributes (made by Unix).
    pub unix_mode: u32,
    pub size: u64,
    pub compressed_size: u64,
    pub crc32: u32,
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Reads the central directory (APPNOTE 4.3.12, 4.3.16), as unzip and Python's zipfile do.
pub fn zip_entries(zip: &[u8]) -> Vec<ZipEntry> {
    let eocd = (0..=zip.len() - 22)
        .rev()
        .find(|&i| u32_at(zip, i) == 0x0605_4b50)
        .expect("an end of central directory record");
    let count = u16_at(zip, eocd + 10) as usize;
    let mut at = u32_at(zip, eocd + 16) as usize;
    let mut entries = Vec::new();
    for _ in 0..count {
        assert_eq!(u32_at(zip, at), 0x0201_4b50, "a central directory header");
        let made_by = u16_at(zip, at + 4) >> 8;
        assert_eq!(made_by, 3, "made by Unix, so the mode bits count");
        let name_len = u16_at(zip, at + 28) as usize;
        let extra_len = u16_at(zip, at + 30) as usize;
        let comment_len = u16_at(zip, at + 32) as usize;
        entries.push(ZipEntry {
            name: String::from_utf8(zip[at + 46..at + 46 + name_len].to_vec()).expect("UTF-8"),
            unix_mode: u32_at(zip, at + 38) >> 16,
            crc32: u32_at(zip, at + 16),
            compressed_size: u64::from(u32_at(zip, at + 20)),
            size: u64::from(u32_at(zip, at + 24)),
        });
        at += 46 + name_len + extra_len + comment_len;
    }
    entries
}

/// CRC-32 (IEEE), bit by bit.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
