//! What Cargo.toml promises: the core builds without the command line's
//! crates, and a declared `rust-version` is not below what the locked
//! dependencies need. Both ask cargo itself (no build).

use std::process::Command;

fn cargo(args: &[&str]) -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// `1.88` or `1.88.0` as (1, 88, 0).
fn version(v: &str) -> (u64, u64, u64) {
    let mut parts = v.split('.').map(|p| p.parse::<u64>().expect("a number"));
    let mut next = || parts.next().unwrap_or(0);
    (next(), next(), next())
}

/// The crates the library links with `default-features = false`. Proc
/// macros are left out: they run in the compiler on the build machine
/// (pest_derive's own dependencies reach libc that way), not in the core.
/// The host's tree covers every crate below: none is Windows-only.
fn core_crates() -> Vec<String> {
    let tree = cargo(&[
        "tree",
        "--locked",
        "--no-default-features",
        "--edges",
        "normal,no-proc-macro",
        "--prefix",
        "none",
        "--format",
        "{p}",
    ]);
    tree.lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

#[test]
fn the_core_needs_none_of_the_command_lines_crates() {
    let core = core_crates();
    assert!(core.iter().any(|c| c == "pest"), "not a tree: {core:?}");
    let cli_only = [
        "clap",
        "miette",
        "mimalloc",
        "libmimalloc-sys",
        "libc",
        "toml",
        "similar",
        "lsp-server",
        "lsp-types",
        "crossbeam-channel",
    ];
    let found: Vec<&str> = cli_only
        .into_iter()
        .filter(|c| core.iter().any(|d| d == c))
        .collect();
    assert!(
        found.is_empty(),
        "the core (no default features) depends on {found:?}; make them optional behind `cli` or `human`"
    );
}

#[test]
fn a_declared_rust_version_is_not_below_a_dependencys() {
    let metadata: serde_json::Value =
        serde_json::from_str(&cargo(&["metadata", "--format-version", "1", "--locked"]))
            .expect("cargo metadata is JSON");
    let packages = metadata["packages"].as_array().expect("packages");
    let ours = packages
        .iter()
        .find(|p| p["name"] == "sopc")
        .expect("sopc is a package");
    // Without a claim there is nothing to keep true (cargo names the rustc
    // a dependency needs when it is too old).
    let Some(claim) = ours["rust_version"].as_str() else {
        return;
    };
    let above: Vec<String> = packages
        .iter()
        .filter_map(|p| Some((p["name"].as_str()?, p["rust_version"].as_str()?)))
        .filter(|(_, v)| version(v) > version(claim))
        .map(|(name, v)| format!("{name} needs {v}"))
        .collect();
    assert!(
        above.is_empty(),
        "Cargo.toml claims rust-version {claim}, but {}",
        above.join(", ")
    );
}

/// Each package's feature sets (one per build of it: pest, say, is built
/// for proc macros with `std` and for sopc without) in `cargo tree` with
/// these edge kinds.
fn features(edges: &str) -> std::collections::BTreeMap<String, Vec<String>> {
    let tree = cargo(&[
        "tree", "--locked", "--edges", edges, "--prefix", "none", "--format", "{p}|{f}",
    ]);
    let mut sets: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for line in tree.lines() {
        let Some((package, features)) = line.split_once('|') else {
            continue;
        };
        let name = package.split(" (").next().unwrap_or(package).to_string();
        let features = features.split(" (").next().unwrap_or(features).to_string();
        let set = sets.entry(name).or_default();
        if !set.contains(&features) {
            set.push(features);
        }
    }
    for set in sets.values_mut() {
        set.sort();
    }
    sets
}

/// `cargo run` builds without the dev-dependencies and `cargo test` with
/// them; when they turn on more features of a shared crate, that crate and
/// everything above it (sopc itself) is built twice, the README's two
/// commands two builds.
#[test]
fn dev_dependencies_turn_on_no_feature_of_a_shared_crate() {
    let run = features("no-dev");
    let test = features("normal,build,dev");
    assert!(run.contains_key("sopc v0.1.0"), "not a tree: {run:?}");
    let differ: Vec<String> = run
        .iter()
        .filter_map(|(package, sets)| {
            let with_dev = test.get(package)?;
            (with_dev != sets)
                .then(|| format!("{package}: {sets:?} for run, {with_dev:?} for test"))
        })
        .collect();
    assert!(
        differ.is_empty(),
        "built twice; turn these features on in Cargo.toml too:\n{}",
        differ.join("\n")
    );
}
