//! A real editor as the client: headless Neovim opens a policy with a
//! mistake, receives sopc's diagnostic, applies the code action, writes the
//! file, and the file then checks clean (tests/nvim/fix.lua). Skipped, with
//! a message, where `nvim` is not installed (`.ci/run` installs it).

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const POLICY: &str = r#"sop "TS-CCC-020" "Resetting a network password" {
  owner "Service Desk"
}

outcome resolved "The caller can log in"

step greet "Greet the caller — « bonjour »" {
  ask works "Can you log in now?" { yes no }
  yes -> end resolved
  no  -> reset_pasword
}

step reset_password "Reset the password" {
  end resolved
}
"#;

#[test]
fn neovim_applies_the_fix_for_a_diagnostic() {
    if Command::new("nvim").arg("--version").output().is_err() {
        eprintln!("skipped: `nvim` is not installed (apt-get install neovim; .ci/run does)");
        return;
    }
    let dir = common::temp_dir("nvim");
    let policy = dir.join("reset.sop");
    std::fs::write(&policy, POLICY).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/nvim/fix.lua");
    let mut child = Command::new("nvim")
        .args(["--headless", "--clean", "-n", "-c"])
        .arg(format!("luafile {script}"))
        .env("SOPC_BIN", env!("CARGO_BIN_EXE_sopc"))
        .env("SOPC_POLICY", &policy)
        .current_dir(&dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("nvim starts");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            panic!("nvim did not finish in 90 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(status.success(), "nvim failed:\n{stdout}\n{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "DIAGNOSTIC 9:9 there is no step named `reset_pasword`",
            "ACTION Replace `reset_pasword` with `reset_password`",
            "CLEAN",
        ],
        "{stderr}"
    );
    let fixed = std::fs::read_to_string(&policy).unwrap();
    assert_eq!(fixed, POLICY.replace("reset_pasword", "reset_password"));
    let checked = sopc::check_source(&fixed, &common::options());
    assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
    let _ = std::fs::remove_dir_all(&dir);
}
